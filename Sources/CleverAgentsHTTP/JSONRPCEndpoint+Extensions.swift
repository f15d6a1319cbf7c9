//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

extension JSONRPCEndpoint {
    /// Serves a CleverAgents extension method (`_cleveragents/...`): decoded with its own call
    /// type, answered as plain JSON-RPC (the A2A version does not apply to it).
    func respondToExtension(
        _ body: ByteBuffer,
        request: Request,
        namespace rawNamespace: String,
        requested: RequestedVersion,
        context: A2ARequestContext
    ) async -> Response {
        let codec = WireCodec.v1_0
        let rpc: JSONRPCRequest<SyncMethodCall>
        do {
            rpc = try JSONDecoder().decode(JSONRPCRequest<SyncMethodCall>.self, from: body)
        } catch {
            return codec.error(.parseError(), id: .null)
        }
        let id = rpc.responseID
        let call: SyncMethodCall
        switch rpc.call {
        case .failure(let error):
            return codec.error(error, id: id)
        case .success(let decoded):
            guard rpc.id != nil else {
                return codec.error(.invalidRequest("Requests need an id; notifications are not supported"), id: .null)
            }
            call = decoded
        }
        if case .unsupported(let value) = requested {
            return codec.error(.versionNotSupported(value, supported: Self.supportedVersions), id: id)
        }
        guard let sync else {
            return codec.error(.methodNotFound(rpc.method), id: id)
        }
        guard let namespace = NamespaceName(rawNamespace) else {
            return codec.error(.namespaceNotFound(rawNamespace), id: id, status: .notFound)
        }
        var logger = context.logger
        logger[metadataKey: "namespace"] = "\(namespace)"
        logger[metadataKey: "rpc.method"] = "\(rpc.method)"
        let requestContext = RequestContext(
            namespace: namespace,
            caller: .anonymous,
            requestID: context.id,
            traceParent: request.headers[HTTPField.Name("traceparent")!]
        )
        do {
            switch try await sync.handle(call, context: requestContext) {
            case .push(let result): return try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
            case .pull(let result): return try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
            case .status(let result): return try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
            }
        } catch SyncError.permissionDenied(let method, let required) {
            return codec.error(.syncPermissionDenied(method: method, required: required), id: id, status: .forbidden)
        } catch {
            let (rpcError, status) = Self.describe(error, logger: logger)
            return codec.error(rpcError, id: id, status: status)
        }
    }
}

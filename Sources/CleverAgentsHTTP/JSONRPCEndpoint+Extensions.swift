//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsRuntime
import Hummingbird

extension JSONRPCEndpoint {
    /// The answer to a CleverAgents extension method (`_cleveragents/sync/*`): plain JSON-RPC,
    /// since the A2A version does not apply to it.
    static func encode(_ response: SyncResponse, id: JSONRPCID) throws -> Response {
        switch response {
        case .push(let result): try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
        case .pull(let result): try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
        case .status(let result): try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
        }
    }
}

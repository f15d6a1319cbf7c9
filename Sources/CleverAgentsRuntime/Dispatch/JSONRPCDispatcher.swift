//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import Foundation

/// The one path from a JSON-RPC request's bytes to the application, for every front end (HTTP,
/// stdio): one decode that picks the method family by name (``JSONRPCMethodFamily``) and reads
/// the request once as that family's call, then routing to the service that owns the family.
/// Each service authorizes the call first (``NamespacePolicy``); what a failure answers is
/// ``JSONRPCFailure``'s single mapping.
///
/// A front end reads the request (a body, a line), calls ``decode(_:askedFor:)``, authenticates
/// its caller, calls ``serve(_:context:at:)``, and writes the answer in its own framing.
public struct JSONRPCDispatcher: Sendable {
    public let service: A2AService
    /// Serves `_cleveragents/admin/*`; without it those methods are not found.
    public let admin: AdminService?
    /// Serves `_cleveragents/sync/*`; without it those methods are not found.
    public let sync: SyncService?

    public init(service: A2AService, admin: AdminService? = nil, sync: SyncService? = nil) {
        self.service = service
        self.admin = admin
        self.sync = sync
    }

    // MARK: Decoding

    /// Reads a request to a namespace's endpoint: A2A 1.0, A2A 0.3 (asked for, or a slash name
    /// without a version), administration or sync.
    ///
    /// The body is parsed once to read its method, which picks the family; the family's decoder
    /// then reads the call. A plain `GetTask` is read from that parse alone (``plainGetTask(_:)``).
    public static func decode(_ body: Data, askedFor version: JSONRPCMethodFamily.AskedVersion) -> Result<JSONRPCDecodedRequest, JSONRPCRejection> {
        decode(body, envelope: try? JSONValue(parsing: body), askedFor: version)
    }

    /// ``decode(_:askedFor:)`` for a front end that parsed the body already (`nil` when it is not
    /// JSON).
    public static func decode(
        _ body: Data,
        envelope: JSONValue?,
        askedFor version: JSONRPCMethodFamily.AskedVersion
    ) -> Result<JSONRPCDecodedRequest, JSONRPCRejection> {
        let family = JSONRPCMethodFamily(method: JSONRPCMethodFamily.method(of: envelope), askedFor: version)
        do {
            switch family {
            case .a2a:
                if let envelope, let (id, call) = plainGetTask(envelope) {
                    return .success(JSONRPCDecodedRequest(id: id, family: family, call: .a2a(call)))
                }
                let (id, call) = try decode(body, as: A2AMethodCall.self) { $0 }
                return .success(JSONRPCDecodedRequest(id: id, family: family, call: .a2a(call)))
            case .a2a03:
                let (id, call) = try decode(body, as: A2A03MethodCall.self) { $0.call }
                return .success(JSONRPCDecodedRequest(id: id, family: family, call: .a2a(call)))
            case .admin:
                let (id, call) = try decode(body, as: AdminCall.self) { $0 }
                return .success(JSONRPCDecodedRequest(id: id, family: family, call: .admin(call)))
            case .sync:
                let (id, call) = try decode(body, as: SyncMethodCall.self) { $0 }
                return .success(JSONRPCDecodedRequest(id: id, family: family, call: .sync(call)))
            }
        } catch {
            return .failure(error)
        }
    }

    /// Reads a request to the server's own endpoint, which serves administration only.
    public static func decodeServerCall(_ body: Data) -> Result<JSONRPCDecodedRequest, JSONRPCRejection> {
        do {
            let (id, call) = try decode(body, as: AdminCall.self) { $0 }
            return .success(JSONRPCDecodedRequest(id: id, family: .admin, call: .admin(call)))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes the envelope and the typed params of `Call`.
    static func decode<Call: JSONRPCMethodCall, Result>(
        _ body: Data,
        as type: Call.Type,
        _ extract: (Call) -> Result
    ) throws(JSONRPCRejection) -> (JSONRPCID, Result) {
        let rpc: JSONRPCRequest<Call>
        do {
            rpc = try JSONDecoder().decode(JSONRPCRequest<Call>.self, from: body)
        } catch let error as JSONRPCError {
            throw JSONRPCRejection(id: .null, method: "", error: error, isNotification: false)
        } catch {
            throw JSONRPCRejection(id: .null, method: "", error: .parseError(), isNotification: false)
        }
        switch rpc.call {
        case .failure(let error):
            throw JSONRPCRejection(id: rpc.responseID, method: rpc.method, error: error, isNotification: rpc.id == nil)
        case .success(let call):
            guard rpc.id != nil else {
                throw JSONRPCRejection(
                    id: .null,
                    method: rpc.method,
                    error: .invalidRequest("A2A requests need an id; notifications are not supported"),
                    isNotification: true
                )
            }
            return (rpc.responseID, extract(call))
        }
    }

    // MARK: Serving

    /// Where a request arrived, which decides the administration methods it may call.
    public enum Endpoint: Sendable, Hashable {
        /// A namespace's endpoint: A2A, sync, and the administration of that namespace.
        case namespace
        /// The server's endpoint: the administration of the server (namespaces, principals).
        case server
    }

    /// Refuses a call that the endpoint it arrived at does not serve (a front end may check
    /// this before it authenticates the caller; ``serve(_:context:at:)`` checks it again).
    public static func check(_ call: JSONRPCCall, at endpoint: Endpoint) throws(JSONRPCError) {
        switch (call, endpoint) {
        case (.admin(let call), .namespace) where call.isServerLevel:
            throw JSONRPCError.methodNotFound("this method administers the server; call it on POST /")
        case (.admin(let call), .server) where !call.isServerLevel:
            throw JSONRPCError.methodNotFound("this method administers a namespace; call it on POST /ns/{namespace}")
        case (.a2a, .server), (.sync, .server):
            throw JSONRPCError.methodNotFound(call.method)
        case (.a2a, .namespace), (.admin, _), (.sync, .namespace):
            return
        }
    }

    /// Serves a decoded call for an authenticated caller, through the service that owns its
    /// family (which authorizes it).
    ///
    /// Throws ``JSONRPCError`` for what the caller should see and other errors for faults;
    /// ``JSONRPCFailure`` maps either to its answer.
    public func serve(_ call: JSONRPCCall, context: RequestContext, at endpoint: Endpoint = .namespace) async throws -> JSONRPCAnswer {
        switch call {
        case .a2a(let a2a):
            try Self.check(call, at: endpoint)
            return .a2a(try await service.handle(a2a, context: context))
        case .admin(let adminCall):
            // A front end without administration knows none of its methods, wherever they belong.
            guard let admin else { throw JSONRPCError.methodNotFound(adminCall.methodName) }
            try Self.check(call, at: endpoint)
            return .admin(try await admin.handle(adminCall, context: context))
        case .sync(let syncCall):
            guard let sync else { throw JSONRPCError.methodNotFound(syncCall.method.rawValue) }
            try Self.check(call, at: endpoint)
            return .sync(try await sync.handle(syncCall, context: context))
        }
    }
}

/// A JSON-RPC call, read as its method family's.
public enum JSONRPCCall: Sendable {
    /// A2A, read from 1.0 or 0.3 names and shapes.
    case a2a(A2AMethodCall)
    /// `_cleveragents/admin/*`.
    case admin(AdminCall)
    /// `_cleveragents/sync/*`.
    case sync(SyncMethodCall)

    /// The method's name, for logs and metrics (A2A calls by their 1.0 name).
    public var method: String {
        switch self {
        case .a2a(let call): call.method.rawValue
        case .admin(let call): call.methodName
        case .sync(let call): call.method.rawValue
        }
    }
}

/// A request ``JSONRPCDispatcher`` read: its id, the family its method belongs to (which picks
/// the shapes of the answer) and its call.
public struct JSONRPCDecodedRequest: Sendable {
    public var id: JSONRPCID
    public var family: JSONRPCMethodFamily
    public var call: JSONRPCCall
}

/// A request that cannot be served, with what is known of it.
public struct JSONRPCRejection: Error, Sendable {
    /// The id to answer (`null` when it could not be read).
    public var id: JSONRPCID
    /// The method, when it could be read (else empty).
    public var method: String
    public var error: JSONRPCError
    /// The request had no id: JSON-RPC answers no notification, and HTTP answers it only
    /// because a response must be sent.
    public var isNotification: Bool
}

/// What a served call answers.
public enum JSONRPCAnswer: Sendable {
    case a2a(A2AResponse)
    case admin(JSONValue)
    case sync(SyncResponse)
}

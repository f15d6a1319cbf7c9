//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A method call that decodes its own params once the method name is known.
///
/// The JSON-RPC envelope reads `method` first and then asks the call type to decode `params`
/// as the typed struct of that method, so no generic JSON value sits on the hot path.
public protocol JSONRPCMethodCall: Sendable {
    /// Decodes the params of `method`, or returns `nil` when the method is unknown.
    ///
    /// Throw ``JSONRPCError`` or `DecodingError` for bad params.
    init?(method: String, params: JSONRPCParams) throws
}

/// The `params` member of a request, decoded on demand as the method's type.
public struct JSONRPCParams {
    @usableFromInline
    let container: KeyedDecodingContainer<JSONRPCEnvelopeKeys>

    @usableFromInline
    init(container: KeyedDecodingContainer<JSONRPCEnvelopeKeys>) {
        self.container = container
    }

    /// Whether the request carried `params` (and it was not `null`).
    public var isPresent: Bool {
        container.contains(.params) && !((try? container.decodeNil(forKey: .params)) ?? false)
    }

    /// Decodes `params` as `type`.
    ///
    /// - Parameter defaultValue: used when `params` is absent; when `nil`, absent params are an error.
    @inlinable
    public func decode<T: Decodable>(_ type: T.Type, default defaultValue: @autoclosure () -> T? = nil) throws -> T {
        guard isPresent else {
            if let value = defaultValue() { return value }
            throw JSONRPCError.invalidParams(field: "", description: "params is required")
        }
        return try container.decode(T.self, forKey: .params)
    }
}

/// Keys of the JSON-RPC 2.0 envelope.
public enum JSONRPCEnvelopeKeys: String, CodingKey {
    case jsonrpc, id, method, params, result, error
}

/// A decoded JSON-RPC 2.0 request whose params were decoded as `Call`.
///
/// Decoding never throws for problems inside a well-formed envelope: they are kept in ``call``
/// so the response can still echo the request ``id``.
public struct JSONRPCRequest<Call: JSONRPCMethodCall>: Sendable {
    /// `nil` when the request had no `id` member (a notification).
    public var id: JSONRPCID?
    public var method: String
    public var call: Result<Call, JSONRPCError>

    public init(id: JSONRPCID?, method: String, call: Result<Call, JSONRPCError>) {
        self.id = id
        self.method = method
        self.call = call
    }

    /// The id to echo in the response: `null` for notifications.
    public var responseID: JSONRPCID { id ?? .null }
}

extension JSONRPCRequest: Decodable {
    public init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<JSONRPCEnvelopeKeys>
        do {
            container = try decoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        } catch {
            throw JSONRPCError.invalidRequest("Request must be a JSON object")
        }
        var id: JSONRPCID?
        if container.contains(.id) {
            do {
                id = try container.decode(JSONRPCID.self, forKey: .id)
            } catch {
                self.init(id: .null, method: "", call: .failure(.invalidRequest("id must be a string, an integer or null")))
                return
            }
        }
        guard let version = try? container.decode(String.self, forKey: .jsonrpc), version == "2.0" else {
            self.init(id: id, method: "", call: .failure(.invalidRequest("jsonrpc must be \"2.0\"")))
            return
        }
        guard let method = try? container.decode(String.self, forKey: .method), !method.isEmpty else {
            self.init(id: id, method: "", call: .failure(.invalidRequest("method must be a non-empty string")))
            return
        }
        let call: Result<Call, JSONRPCError>
        do {
            if container.contains(.params), (try? container.nestedContainer(keyedBy: JSONRPCEnvelopeKeys.self, forKey: .params)) == nil,
                !((try? container.decodeNil(forKey: .params)) ?? false)
            {
                call = .failure(.invalidParams(field: "", description: "params must be an object"))
            } else if let decoded = try Call(method: method, params: JSONRPCParams(container: container)) {
                call = .success(decoded)
            } else {
                call = .failure(.methodNotFound(method))
            }
        } catch let error as JSONRPCError {
            call = .failure(error)
        } catch let error as DecodingError {
            call = .failure(.invalidParams(from: error))
        } catch {
            call = .failure(.invalidParams(field: "", description: "\(error)"))
        }
        self.init(id: id, method: method, call: call)
    }
}

/// Encodes a successful JSON-RPC response: `{"jsonrpc":"2.0","id":…,"result":…}`.
public struct JSONRPCResultResponse<Result: Encodable>: Encodable {
    public var id: JSONRPCID
    public var result: Result

    public init(id: JSONRPCID, result: Result) {
        self.id = id
        self.result = result
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(id, forKey: .id)
        try container.encode(result, forKey: .result)
    }
}

extension JSONRPCResultResponse: Sendable where Result: Sendable {}

/// Encodes a JSON-RPC error response: `{"jsonrpc":"2.0","id":…,"error":{…}}`.
public struct JSONRPCErrorResponse: Codable, Sendable, Hashable {
    public var id: JSONRPCID
    public var error: JSONRPCError

    public init(id: JSONRPCID, error: JSONRPCError) {
        self.id = id
        self.error = error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        self.id = try container.decodeIfPresent(JSONRPCID.self, forKey: .id) ?? .null
        self.error = try container.decode(JSONRPCError.self, forKey: .error)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(id, forKey: .id)
        try container.encode(error, forKey: .error)
    }
}

/// A JSON-RPC response as a client reads it: a result of type `Result`, or an error.
public struct JSONRPCResponse<Result: Decodable & Sendable>: Decodable, Sendable {
    public var id: JSONRPCID
    public var outcome: Swift.Result<Result, JSONRPCError>

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        self.id = try container.decodeIfPresent(JSONRPCID.self, forKey: .id) ?? .null
        if let error = try container.decodeIfPresent(JSONRPCError.self, forKey: .error) {
            self.outcome = .failure(error)
        } else {
            self.outcome = .success(try container.decode(Result.self, forKey: .result))
        }
    }
}

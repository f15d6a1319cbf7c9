//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// libFuzzer target: the JSON-RPC request decoding of `POST /ns/{namespace}`, in the order of
// `JSONRPCEndpoint.readBody` and `JSONRPCEndpoint.decode`: the nesting limit first, then the
// envelope with the typed params of A2A 1.0, then (for unknown methods) the sync extension
// and the A2A 0.3 slash methods, and the 0.3 path that `A2A-Version: 0.3` selects.
//
// Invariants, beyond "no crash, no sanitizer report":
// - `JSONDepth.isWithin` agrees with the depth of what the decoder reads;
// - a decoded call names the method of the envelope;
// - a decoded call's params, encoded and decoded again, give the same call (a fixed point).
//
// The administration methods (`AdminCall`, in CleverAgentsRuntime) are not fuzzed here: that
// module brings swift-crypto (BoringSSL) and four more packages into the sanitized build. Their
// params are plain `Codable` structs decoded through the same `JSONRPCRequest` envelope.

import A2AProtocol
import Foundation

/// The server's default `limits.maxJsonDepth`.
let maximumDepth = 32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(UnsafeBufferPointer(start: data, count: size))
    let within = JSONDepth.isWithin(maximumDepth, body)
    checkDepth(body, within: within)
    // readBody refuses what nests too deeply, before any decoder sees it.
    guard within else { return 0 }

    // No A2A-Version: 1.0 first, then the extension families and the 0.3 slash names.
    let request = try? JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: body)
    if let request {
        checkEnvelope(request)
        switch request.call {
        case .success(let call):
            check(call.method.rawValue == request.method, "decoded \(call.method) for method \(request.method)")
            roundTrip(call, id: request.id)
        case .failure(let error) where error.code == JSONRPCError.methodNotFoundCode:
            check(A2AMethod(rawValue: request.method) == nil, "method not found for the A2A method \(request.method)")
            if request.method.hasPrefix(SyncMethod.extensionPrefix) {
                decodeSync(body)
            } else if request.method.contains("/") {
                decode03(body)
            }
        case .failure:
            break
        }
    }
    // A2A-Version: 0.3.
    decode03(body)
    // The sync family on its own: its params are the largest of the extension methods.
    decodeSync(body)
    return 0
}

// MARK: Invariants

/// The depth check against the depth of the JSON value the decoder reads: a text the check
/// lets through never decodes to a deeper value, and one it refuses never to a shallower one.
func checkDepth(_ body: Data, within: Bool) {
    // The decoder refuses more than 512 levels itself; stay well inside the stack of an ASan build.
    guard body.count <= 64 * 1024, let value = try? JSONDecoder().decode(JSONValue.self, from: body) else { return }
    let depth = value.depth
    if within {
        check(depth <= maximumDepth, "JSONDepth let through a value \(depth) levels deep")
    } else {
        check(depth > maximumDepth, "JSONDepth refused a value \(depth) levels deep")
    }
}

/// What holds of every decoded envelope.
func checkEnvelope<Call>(_ request: JSONRPCRequest<Call>) {
    if case .success = request.call {
        check(!request.method.isEmpty, "a call without a method name")
    }
    if request.id == nil {
        check(request.responseID == .null, "a notification answers with id \(request.responseID)")
    }
}

func decode03(_ body: Data) {
    guard let request = try? JSONDecoder().decode(JSONRPCRequest<A2A03MethodCall>.self, from: body) else { return }
    checkEnvelope(request)
    guard case .success(let call) = request.call else { return }
    check(call.method.rawValue == request.method, "decoded 0.3 \(call.method) for method \(request.method)")
    check(call.call.method == call.method.a2aMethod, "0.3 \(call.method) served by \(call.call.method)")
    // The 1.0 call that serves it is a valid 1.0 call.
    roundTrip(call.call, id: request.id)
}

func decodeSync(_ body: Data) {
    guard let request = try? JSONDecoder().decode(JSONRPCRequest<SyncMethodCall>.self, from: body) else { return }
    checkEnvelope(request)
    guard case .success(let call) = request.call else { return }
    check(call.method.rawValue == request.method, "decoded \(call.method) for method \(request.method)")
    let params: Data
    do {
        switch call {
        case .push(let value): params = try A2AJSON.makeEncoder().encode(value)
        case .pull(let value): params = try A2AJSON.makeEncoder().encode(value)
        case .status(let value): params = try A2AJSON.makeEncoder().encode(value)
        }
    } catch {
        fail("\(call.method) params do not encode: \(error)")
    }
    let again = redecode(SyncMethodCall.self, method: call.method.rawValue, id: request.id, params: params)
    check(again == call, "\(call.method) changes when encoded and decoded again:\n\(call)\n\(again)")
}

/// Encodes the params of `call` as the 1.0 wire format and decodes them again.
func roundTrip(_ call: A2AMethodCall, id: JSONRPCID?) {
    let encoder = A2AJSON.makeEncoder()
    let params: Data
    do {
        switch call {
        case .sendMessage(let value), .sendStreamingMessage(let value): params = try encoder.encode(value)
        case .getTask(let value): params = try encoder.encode(value)
        case .listTasks(let value): params = try encoder.encode(value)
        case .cancelTask(let value): params = try encoder.encode(value)
        case .subscribeToTask(let value): params = try encoder.encode(value)
        case .createTaskPushNotificationConfig(let value): params = try encoder.encode(value)
        case .getTaskPushNotificationConfig(let value): params = try encoder.encode(value)
        case .listTaskPushNotificationConfigs(let value): params = try encoder.encode(value)
        case .deleteTaskPushNotificationConfig(let value): params = try encoder.encode(value)
        case .getExtendedAgentCard(let value): params = try encoder.encode(value)
        }
    } catch {
        fail("\(call.method) params do not encode: \(error)")
    }
    let again = redecode(A2AMethodCall.self, method: call.method.rawValue, id: id, params: params)
    check(again == call, "\(call.method) changes when encoded and decoded again:\n\(call)\n\(again)")
}

/// Wraps `params` in a request envelope and decodes it as `Call`; a failure is a finding.
func redecode<Call: JSONRPCMethodCall>(_ type: Call.Type, method: String, id: JSONRPCID?, params: Data) -> Call {
    var envelope = Data(#"{"jsonrpc":"2.0","id":"#.utf8)
    do {
        envelope.append(try JSONEncoder().encode(id ?? .null))
        envelope.append(contentsOf: #","method":"#.utf8)
        envelope.append(try JSONEncoder().encode(method))
    } catch {
        fail("the envelope does not encode: \(error)")
    }
    envelope.append(contentsOf: #","params":"#.utf8)
    envelope.append(params)
    envelope.append(contentsOf: "}".utf8)
    let request: JSONRPCRequest<Call>
    do {
        request = try JSONDecoder().decode(JSONRPCRequest<Call>.self, from: envelope)
    } catch {
        fail("re-encoded \(method) is not a request: \(error)\n\(String(decoding: envelope, as: UTF8.self))")
    }
    switch request.call {
    case .success(let call): return call
    case .failure(let error):
        fail("re-encoded \(method) does not decode: \(error)\n\(String(decoding: envelope, as: UTF8.self))")
    }
}

extension JSONValue {
    /// Levels of objects and arrays: 0 for a scalar, 1 for `[]` or `{}`.
    var depth: Int {
        switch self {
        case .array(let values): 1 + (values.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(\.depth).max() ?? 0)
        default: 0
        }
    }
}

// MARK: Findings

/// Reports a broken invariant and aborts, so that libFuzzer keeps the input. (`precondition`
/// drops its message in an optimized build.)
func fail(_ message: @autoclosure () -> String) -> Never {
    FileHandle.standardError.write(Data("broken invariant: \(message())\n".utf8))
    abort()
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

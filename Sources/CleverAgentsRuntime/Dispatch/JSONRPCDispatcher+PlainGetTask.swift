//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

extension JSONRPCDispatcher {
    /// The most frequent request, `GetTask`, read from the body's `JSONValue` (which
    /// ``decode(_:askedFor:)`` parses once to pick the method's family) instead of `JSONDecoder`
    /// and its containers.
    ///
    /// Only a plain request is read here: `jsonrpc` "2.0", a string or integer `id`, `method`
    /// "GetTask" and `params` with a string `id` and nothing but a string `tenant` and an integer
    /// `historyLength` besides. Anything else (`null`s, proto spellings, unknown params, other
    /// types) returns `nil` and goes to the full decoder, which alone words errors. For what it
    /// reads, the result equals the full decoder's (the tests compare the two).
    static func plainGetTask(_ value: JSONValue) -> (JSONRPCID, A2AMethodCall)? {
        guard case .object(let envelope) = value,
            envelope["jsonrpc"] == .string("2.0"), envelope["method"] == .string("GetTask"),
            case .object(let params)? = envelope["params"], case .string(let taskID)? = params["id"]
        else { return nil }
        let id: JSONRPCID
        switch envelope["id"] {
        case .string(let string)?: id = .string(string)
        case .number(let number)?:
            guard let integer = exactInteger(number) else { return nil }
            id = .number(integer)
        default: return nil
        }
        var request = GetTaskRequest(id: taskID)
        for (key, value) in params where key != "id" {
            switch (key, value) {
            case ("tenant", .string(let tenant)): request.tenant = tenant
            case ("historyLength", .number(let number)):
                guard let length = exactInteger(number) else { return nil }
                request.historyLength = Int(length)
            default: return nil
            }
        }
        return (id, .getTask(request))
    }

    /// The integer a JSON number holds exactly, as `JSONDecoder` reads an `Int64` (`1`, `1.0`,
    /// `1e2`); `nil` for fractions and for magnitudes a `Double` does not hold exactly.
    private static func exactInteger(_ number: Double) -> Int64? {
        guard number.rounded(.towardZero) == number, abs(number) < 9_007_199_254_740_992 else { return nil }
        return Int64(number)
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// The 0.3 fixtures of `Fixtures/v0_3` (see its README.md): spec examples and the a2a-sdk capture.
enum A2A03Fixtures {
    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/v0_3") else {
            throw FixtureError(description: "no fixture Fixtures/v0_3/\(name)")
        }
        return try Data(contentsOf: url)
    }

    static func value(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data(name))
    }

    static func v1Data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/v1_0") else {
            throw FixtureError(description: "no fixture Fixtures/v1_0/\(name)")
        }
        return try Data(contentsOf: url)
    }

    // MARK: The a2a-sdk 1.3.0 capture

    /// One request/response exchange with the a2a-sdk 1.3.0 server in 0.3 compatibility mode.
    struct Exchange: Decodable, Sendable {
        var title: String
        var headers: [String: String]
        /// The request as sent; a string for the malformed-JSON exchange.
        var request: JSONValue
        var ctype: String
        /// The raw HTTP response body (SSE streams verbatim).
        var body: String

        /// The request as the bytes the client sent.
        var requestData: Data {
            get throws {
                if case .string(let raw) = request { return Data(raw.utf8) }
                return try JSONEncoder().encode(request)
            }
        }

        /// The body of a JSON (non-SSE) response.
        var response: JSONValue {
            get throws { try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
        }

        /// The events of an SSE response, each a JSON-RPC response.
        var events: [JSONValue] {
            get throws {
                var parser = ServerSentEventParser()
                let events = parser.consume(Array(body.utf8)) + parser.finish()
                return try events.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.data.utf8)) }
            }
        }
    }

    private struct Capture: Decodable {
        var exchanges: [Exchange]
    }

    static let captureFile = "sdk-1.3.0-capture.json"

    static func exchanges() throws -> [Exchange] {
        try JSONDecoder().decode(Capture.self, from: data(captureFile)).exchanges
    }

    /// The exchange with this exact title (titles are unique in the capture).
    static func exchange(_ title: String) throws -> Exchange {
        let matches = try exchanges().filter { $0.title == title }
        guard matches.count == 1, let exchange = matches.first else {
            throw FixtureError(description: "\(matches.count) exchanges titled '\(title)'")
        }
        return exchange
    }

    // MARK: Normalising for comparison

    /// Adds `kind` to a task, its history and its status message where it is missing (the spec's
    /// examples omit it; we always write it).
    static func addingKinds(toTask value: JSONValue) -> JSONValue {
        guard case .object(var task) = value else { return value }
        task["kind"] = task["kind"] ?? "task"
        if case .array(let history)? = task["history"] {
            task["history"] = .array(history.map(addingKinds(toMessage:)))
        }
        if case .object(var status)? = task["status"], let message = status["message"] {
            status["message"] = addingKinds(toMessage: message)
            task["status"] = .object(status)
        }
        return .object(task)
    }

    /// Adds `kind` to a message that lacks it.
    static func addingKinds(toMessage value: JSONValue) -> JSONValue {
        guard case .object(var message) = value else { return value }
        message["kind"] = message["kind"] ?? "message"
        return .object(message)
    }
}

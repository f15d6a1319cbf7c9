//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import Foundation
import Synchronization

/// A fault to inject into the next matching requests (`POST /_emulator/faults`).
///
/// ```json
/// {"status": 503, "retryAfterSeconds": 1, "count": 2, "path": "/runs/stream"}
/// {"dropStreamAfterEvents": 3, "count": 1}
/// ```
public struct EmulatorFault: Sendable, Hashable, Codable {
    /// Answer with this status and `{"detail": "injected fault"}` instead of serving.
    public var status: Int?
    /// With ``status``: the `Retry-After` header, in seconds.
    public var retryAfterSeconds: Int?
    /// Break the connection of an event stream after this many events.
    public var dropStreamAfterEvents: Int?
    /// Only requests whose path contains this text.
    public var path: String?
    /// Only requests with this method (`GET`, `POST`).
    public var method: String?
    /// How many requests the fault applies to.
    public var count: Int

    public init(status: Int? = nil, retryAfterSeconds: Int? = nil, dropStreamAfterEvents: Int? = nil, path: String? = nil, method: String? = nil, count: Int = 1) {
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.dropStreamAfterEvents = dropStreamAfterEvents
        self.path = path
        self.method = method
        self.count = count
    }

    private enum CodingKeys: String, CodingKey {
        case status, retryAfterSeconds, dropStreamAfterEvents, path, method, count
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        dropStreamAfterEvents = try container.decodeIfPresent(Int.self, forKey: .dropStreamAfterEvents)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        method = try container.decodeIfPresent(String.self, forKey: .method)
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
    }

    func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method } ?? true) && (self.path.map { path.contains($0) } ?? true)
    }
}

/// One request as the emulator received it (`GET /_emulator/requests`), for tests that check
/// what a client sent.
public struct RecordedRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    /// The headers that tell how a client calls: `traceparent`, `last-event-id`, `user-agent`,
    /// and whether an `x-api-key` came (never its value).
    public var headers: [String: String]

    public var json: JSONValue {
        ["method": .string(method), "path": .string(path), "headers": .object(headers.mapValues { .string($0) })]
    }
}

/// Injected faults and the request log, shared by all requests.
final class EmulatorFaults: Sendable {
    private let faults = Mutex<[EmulatorFault]>([])
    private let log: Mutex<[RecordedRequest]>
    private let logSize: Int

    init(logSize: Int) {
        self.logSize = logSize
        self.log = Mutex([])
    }

    func add(_ fault: EmulatorFault) {
        faults.withLock { $0.append(fault) }
    }

    func clear() {
        faults.withLock { $0 = [] }
    }

    var pending: [EmulatorFault] { faults.withLock { $0 } }

    /// Takes one use of the first fault of the wanted kind that matches the request.
    func take(method: String, path: String, kind: (EmulatorFault) -> Bool) -> EmulatorFault? {
        faults.withLock { faults in
            guard let index = faults.firstIndex(where: { kind($0) && $0.matches(method: method, path: path) }) else { return nil }
            let fault = faults[index]
            faults[index].count -= 1
            if faults[index].count <= 0 { faults.remove(at: index) }
            return fault
        }
    }

    func record(_ request: RecordedRequest) {
        guard logSize > 0 else { return }
        log.withLock { log in
            log.append(request)
            if log.count > logSize { log.removeFirst(log.count - logSize) }
        }
    }

    var requests: [RecordedRequest] { log.withLock { $0 } }

    func clearRequests() {
        log.withLock { $0 = [] }
    }
}

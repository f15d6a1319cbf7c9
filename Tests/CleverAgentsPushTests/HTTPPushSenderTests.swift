//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsPush
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// The webhook sender against real sockets: what it sends, which answers are worth a retry,
/// and that it neither follows redirects nor waits past its timeout nor reaches refused addresses.
@Suite(.timeLimit(.minutes(2))) struct HTTPPushSenderTests {
    static func sender(_ policy: EgressPolicy = .defaults(production: false), resolver: any HostResolver = StaticHostResolver(), timeout: Duration = .seconds(10)) -> HTTPPushSender {
        HTTPPushSender(http: EgressHTTPClient.testing(policy, resolver), timeout: timeout)
    }

    /// Runs `body` with a sender, shutting its client down afterwards.
    static func withSender(_ sender: HTTPPushSender, _ body: (HTTPPushSender) async throws -> Void) async throws {
        do {
            try await body(sender)
        } catch {
            try await sender.http.shutdown()
            throw error
        }
        try await sender.http.shutdown()
    }

    @Test func aNotificationIsPostedWithItsHeadersAndBody() async throws {
        let receiver = try await WebhookReceiver.start()
        try await Self.withSender(Self.sender()) { sender in
            let body = Array(#"{"task":{"id":"t1"}}"#.utf8)
            try await sender.send(body, to: receiver.url, headers: [("Content-Type", "application/a2a+json"), ("X-A2A-Notification-Token", "tok")])
            let received = try #require(receiver.received.first)
            #expect(Array(received.body) == body)
            #expect(received.headers["content-type"] == "application/a2a+json")
            #expect(received.headers["x-a2a-notification-token"] == "tok")
            #expect(received.headers["user-agent"] == "cleveragents-server")
        }
        try await receiver.stop()
    }

    @Test(arguments: [
        (HTTPResponse.Status.requestTimeout, true), (.init(code: 425), true), (.tooManyRequests, true), (.internalServerError, true),
        (.serviceUnavailable, true), (.badRequest, false), (.unauthorized, false), (.forbidden, false), (.notFound, false), (.gone, false),
    ])
    func answersWorthARetryAreTransientAndTheOthersPermanent(status: HTTPResponse.Status, transient: Bool) async throws {
        let receiver = try await WebhookReceiver.start()
        receiver.answer(status)
        try await Self.withSender(Self.sender()) { sender in
            let error = await #expect(throws: PushSendError.self) { try await sender.send([], to: receiver.url, headers: []) }
            switch error {
            case .transient(let reason)?: #expect(transient, "\(status.code) is not worth a retry: \(reason)")
            case .permanent(let reason)?: #expect(!transient, "\(status.code) is worth a retry: \(reason)")
            case nil: break
            }
        }
        try await receiver.stop()
    }

    @Test func aRedirectIsNotFollowed() async throws {
        let target = try await WebhookReceiver.start()
        let redirecting = try await TestHTTPServer.start { router in
            router.post("/webhook") { _, _ in
                Response(status: .temporaryRedirect, headers: [.location: target.url])
            }
        }
        try await Self.withSender(Self.sender()) { sender in
            let error = await #expect(throws: PushSendError.self) {
                try await sender.send([1], to: "http://127.0.0.1:\(redirecting.port)/webhook", headers: [])
            }
            guard case .permanent(let reason)? = error else { Issue.record("not permanent: \(String(describing: error))"); return }
            #expect(reason.contains("307"))
            #expect(target.received.isEmpty, "the redirect's target got nothing")
        }
        try await redirecting.stop()
        try await target.stop()
    }

    @Test func aWebhookThatDoesNotAnswerInTimeIsTransient() async throws {
        let (released, release) = AsyncStream<Void>.makeStream()
        let slow = try await TestHTTPServer.start { router in
            router.post("/webhook") { _, _ in
                for await _ in released { break }
                return Response(status: .ok)
            }
        }
        try await Self.withSender(Self.sender(timeout: .milliseconds(300))) { sender in
            let error = await #expect(throws: PushSendError.self) {
                try await sender.send([1], to: "http://127.0.0.1:\(slow.port)/webhook", headers: [])
            }
            guard case .transient? = error else { Issue.record("not transient: \(String(describing: error))"); return }
        }
        release.finish()
        try await slow.stop()
    }

    @Test func anAddressThePolicyRefusesAtSendTimeIsPermanentAndNothingIsSent() async throws {
        let receiver = try await WebhookReceiver.start()
        // The name resolves to the metadata address when the notification is sent.
        let resolver = StaticHostResolver(["hooks.test": ["169.254.169.254"]])
        try await Self.withSender(Self.sender(resolver: resolver)) { sender in
            let error = await #expect(throws: PushSendError.self) {
                try await sender.send([1], to: "http://hooks.test:\(receiver.port)/webhook", headers: [])
            }
            guard case .permanent(let reason)? = error else { Issue.record("not permanent: \(String(describing: error))"); return }
            #expect(reason.contains("not allowed"))
        }
        #expect(receiver.received.isEmpty)
        try await receiver.stop()
    }
}

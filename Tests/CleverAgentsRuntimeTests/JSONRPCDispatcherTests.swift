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
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

/// The one decode, routing and error mapping that every front end uses.
@Suite(.timeLimit(.minutes(2))) struct JSONRPCDispatcherTests {
    static func decode(_ body: String, askedFor version: JSONRPCMethodFamily.AskedVersion = .none) -> Result<JSONRPCDecodedRequest, JSONRPCRejection> {
        JSONRPCDispatcher.decode(Data(body.utf8), askedFor: version)
    }

    // MARK: Decoding

    @Test func eachFamilyIsReadAsItsOwnCall() throws {
        let send = try Self.decode(#"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#).get()
        #expect(send.family == .a2a)
        #expect(send.id == .number(1))
        #expect(send.call.method == "SendMessage")

        // A 0.3 name is read as the 1.0 call it is, and its family picks 0.3's answers.
        let old = try Self.decode(#"{"jsonrpc":"2.0","id":"o","method":"tasks/get","params":{"id":"t1"}}"#).get()
        #expect(old.family == .a2a03)
        guard case .a2a(.getTask(let params)) = old.call else {
            Issue.record("not a GetTask: \(old.call)")
            return
        }
        #expect(params.id == "t1")

        let admin = try Self.decode(#"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/tokens/list"}"#).get()
        #expect(admin.family == .admin)
        #expect(admin.call.method == "_cleveragents/admin/tokens/list")

        let sync = try Self.decode(#"{"jsonrpc":"2.0","id":3,"method":"_cleveragents/sync/status"}"#).get()
        #expect(sync.family == .sync)
        #expect(sync.call.method == "_cleveragents/sync/status")
    }

    @Test func aRequestWithoutAnIdIsRejectedAsANotificationWhateverItsCall() {
        for body in [
            #"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"t1"}}"#,
            #"{"jsonrpc":"2.0","method":"NoSuchMethod"}"#,
            #"{"jsonrpc":"2.0","method":"_cleveragents/sync/pull","params":{"cursor":"x"}}"#,
        ] {
            guard case .failure(let rejection) = Self.decode(body) else {
                Issue.record("served: \(body)")
                continue
            }
            #expect(rejection.isNotification, "\(body)")
            #expect(rejection.id == .null)
        }
        // A valid call without an id is answered, by a front end that must answer, as invalid.
        guard case .failure(let plain) = Self.decode(#"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"t1"}}"#) else { return }
        #expect(plain.error.code == JSONRPCError.invalidRequestCode)
        #expect(plain.method == "GetTask")
    }

    @Test func whatIsNotARequestIsRejectedWithItsIdWhenKnown() {
        guard case .failure(let garbage) = Self.decode("not json") else {
            Issue.record("decoded garbage")
            return
        }
        #expect(garbage.error.code == JSONRPCError.parseErrorCode)
        #expect(!garbage.isNotification)

        guard case .failure(let unknown) = Self.decode(#"{"jsonrpc":"2.0","id":"u","method":"NoSuchMethod"}"#) else {
            Issue.record("decoded an unknown method")
            return
        }
        #expect(unknown.error.code == JSONRPCError.methodNotFoundCode)
        #expect(unknown.id == .string("u"))
        #expect(unknown.method == "NoSuchMethod")
        #expect(!unknown.isNotification)
    }

    @Test func theServersEndpointReadsAdministrationOnly() throws {
        let create = try JSONRPCDispatcher.decodeServerCall(Data(#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/list"}"#.utf8)).get()
        #expect(create.family == .admin)
        guard case .failure(let rejection) = JSONRPCDispatcher.decodeServerCall(Data(#"{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"t"}}"#.utf8)) else {
            Issue.record("the server's endpoint read an A2A call")
            return
        }
        #expect(rejection.error.code == JSONRPCError.methodNotFoundCode)
        #expect(rejection.id == .number(2))
    }

    // MARK: Routing

    @Test func administrationIsServedOnlyAtTheEndpointItBelongsTo() throws {
        let serverCall = try Self.decode(#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/list"}"#).get().call
        let namespaceCall = try Self.decode(#"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/tokens/list"}"#).get().call
        let a2a = try Self.decode(#"{"jsonrpc":"2.0","id":3,"method":"GetTask","params":{"id":"t"}}"#).get().call
        let atNamespace = #expect(throws: JSONRPCError.self) { try JSONRPCDispatcher.check(serverCall, at: .namespace) }
        #expect(atNamespace?.message.contains("call it on POST /") == true)
        let atServer = #expect(throws: JSONRPCError.self) { try JSONRPCDispatcher.check(namespaceCall, at: .server) }
        #expect(atServer?.message.contains("POST /ns/{namespace}") == true)
        #expect(throws: JSONRPCError.self) { try JSONRPCDispatcher.check(a2a, at: .server) }
        try JSONRPCDispatcher.check(serverCall, at: .server)
        try JSONRPCDispatcher.check(namespaceCall, at: .namespace)
        try JSONRPCDispatcher.check(a2a, at: .namespace)
    }

    @Test func aFrontEndWithoutAFamilysServiceDoesNotKnowItsMethods() async throws {
        try await RuntimeHarness.with { harness in
            let dispatcher = JSONRPCDispatcher(service: harness.service)
            let context = RequestContext(namespace: harness.namespace, caller: .anonymous, requestID: "r")
            // Even a server-level method is simply not found where there is no administration.
            for (body, method) in [
                (#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/create","params":{"name":"x"}}"#, "_cleveragents/admin/namespaces/create"),
                (#"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/sync/status"}"#, "_cleveragents/sync/status"),
            ] {
                let call = try Self.decode(body).get().call
                let error = await #expect(throws: JSONRPCError.self) { try await dispatcher.serve(call, context: context) }
                #expect(error?.code == JSONRPCError.methodNotFoundCode)
                #expect(error?.message == "Method not found: \(method)")
            }
        }
    }

    @Test func anA2ACallIsServedAndAuthorizedByTheService() async throws {
        try await RuntimeHarness.with { harness in
            let dispatcher = JSONRPCDispatcher(service: harness.service)
            let send = try Self.decode(#"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]},"configuration":{"returnImmediately":true}}}"#).get().call
            let owner = RequestContext(namespace: harness.namespace, caller: .anonymous, requestID: "r1")
            guard case .a2a(.sendMessage(.task(let task))) = try await dispatcher.serve(send, context: owner) else {
                Issue.record("SendMessage did not answer with a task")
                return
            }
            let get = try Self.decode(#"{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"\#(task.id)"}}"#).get().call
            guard case .a2a(.task(let read)) = try await dispatcher.serve(get, context: owner) else {
                Issue.record("GetTask did not answer with a task")
                return
            }
            #expect(read.id == task.id)
            // A viewer may read but not send: the service's permission table decides.
            let viewer = RequestContext(namespace: harness.namespace, caller: Caller(principalID: "user:v", role: .viewer), requestID: "r2")
            await #expect(throws: PermissionDenied.self) { try await dispatcher.serve(send, context: viewer) }
        }
    }

    @Test func theServiceTakesTheNamespaceTheFrontEndResolvedForThatName() async throws {
        try await RuntimeHarness.with { harness in
            let dispatcher = JSONRPCDispatcher(service: harness.service)
            let send = try Self.decode(#"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]},"configuration":{"returnImmediately":true}}}"#).get().call
            let (namespaceActor, snapshot) = try await harness.service.namespace(harness.namespace)
            var withoutActors = snapshot
            withoutActors.actors = []
            // Resolved by the front end: not looked up again (these settings have no actor to run).
            let resolved = RequestContext(namespace: harness.namespace, caller: .anonymous, requestID: "r1", resolved: (namespaceActor, withoutActors))
            let error = await #expect(throws: JSONRPCError.self) { try await dispatcher.serve(send, context: resolved) }
            #expect(error?.message.contains("has no default actor") == true)
            // Resolved for another name: ignored, the request's own namespace is looked up.
            let stranger = harness.service.directory.actor(for: NamespaceName("stranger")!)
            let mismatched = RequestContext(namespace: harness.namespace, caller: .anonymous, requestID: "r2", resolved: (stranger, withoutActors))
            guard case .a2a(.sendMessage(.task)) = try await dispatcher.serve(send, context: mismatched) else {
                Issue.record("SendMessage did not answer with a task")
                return
            }
        }
    }

    // MARK: Failures

    struct Fault: Error, CustomStringConvertible {
        var description: String { "the disk at /var/lib/secret is on fire" }
    }

    @Test(arguments: [
        (AuthenticationError.invalid as any Error & Sendable, JSONRPCError.unauthenticatedCode, 401),
        (PermissionDenied(.sendMessages), JSONRPCError.permissionDeniedCode, 403),
        (PermissionDenied.grant(needing: .owner), JSONRPCError.permissionDeniedCode, 403),
        (ServiceError.namespaceNotFound("gone"), JSONRPCError.namespaceNotFoundCode, 404),
        (ServiceError.shuttingDown, JSONRPCError.serviceUnavailableCode, 503),
        (StoreError.unavailable("the database went away"), JSONRPCError.serviceUnavailableCode, 503),
        (StoreError.alreadyExists, JSONRPCError.conflictCode, 409),
        (JSONRPCError(code: JSONRPCError.conflictCode, message: "moved on"), JSONRPCError.conflictCode, 409),
        (JSONRPCError(code: JSONRPCError.rateLimitedCode, message: "too many streams"), JSONRPCError.rateLimitedCode, 429),
        (JSONRPCError.taskNotFound("t"), JSONRPCError.taskNotFoundCode, 200),
        (CancellationError(), StdioProtocol.requestCancelledCode, 200),
        (Fault(), JSONRPCError.internalErrorCode, 500),
    ] as [(any Error & Sendable, Int, Int)])
    func everyFailureHasOneAnswer(error: any Error & Sendable, code: Int, status: Int) {
        let failure = JSONRPCFailure(error)
        #expect(failure.error.code == code)
        #expect(failure.httpStatus == status)
    }

    @Test func aFaultIsLoggedAndNotShownAndNothingElseIsLoggedAsAnError() {
        let lines = RecordedLogLines()
        var logger = Logger(label: "test") { _ in RecordingLogHandler(records: lines) }
        logger.logLevel = .trace
        let fault = JSONRPCFailure(Fault())
        fault.log(to: logger)
        #expect(fault.error.message == "Internal error")
        #expect(!fault.error.message.contains("fire"))
        JSONRPCFailure(StoreError.unavailable("the database went away")).log(to: logger)
        JSONRPCFailure(CancellationError()).log(to: logger)
        JSONRPCFailure(PermissionDenied(.sendMessages)).log(to: logger)
        #expect(lines.lines == [
            "error: Request failed error=the disk at /var/lib/secret is on fire",
            "debug: Store unavailable error=the database went away",
        ])
    }

    /// One table and one refusal for every family: the permission each call needs, the lowest
    /// role that has it, and the same error whichever service refused.
    @Test func everyFamilyIsAuthorizedByOnePolicyAndRefusedAlike() throws {
        let member = Caller(principalID: "user:m", role: .member)
        let push = try Self.decode(#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/push","params":{"batchId":"b","items":[]}}"#).get().call
        let tokens = try Self.decode(#"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/tokens/list"}"#).get().call
        let send = try Self.decode(#"{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#).get().call
        #expect(throws: PermissionDenied(.pushEntities)) { try NamespacePolicy.authorize(member, push) }
        #expect(throws: PermissionDenied(.manageTokens)) { try NamespacePolicy.authorize(member, tokens) }
        try NamespacePolicy.authorize(member, send)
        try NamespacePolicy.authorize(Caller(principalID: "root", role: nil, isSuperadmin: true), push)
        #expect(throws: PermissionDenied(.sendMessages)) { try NamespacePolicy.authorize(Caller(principalID: "x", role: nil), send) }

        let refusal = JSONRPCFailure(PermissionDenied(.pushEntities))
        #expect(refusal.httpStatus == 403)
        #expect(refusal.error.message == "Permission denied: permission 'pushEntities' is required (the role 'admin' or higher in this namespace)")
        #expect(refusal.error.data?.first?["reason"] == "PERMISSION_DENIED")
        #expect(refusal.error.data?.first?.at("metadata.requiredRole") == "admin")
        #expect(refusal.error.data?.first?.at("metadata.permission") == "pushEntities")
        // A grant beyond the caller's power says why, and names no role to ask for.
        let grant = JSONRPCFailure(PermissionDenied.grant(needing: .owner))
        #expect(grant.error.data?.first?.at("metadata.requiredRole") == nil)
        #expect(PermissionDenied(.manageServer).requiredRole == nil, "only a superadmin manages the server")
    }

    @Test func theShutdownAdviceIsTheFrontEndsOwn() {
        #expect(JSONRPCFailure(ServiceError.shuttingDown).error.message == "Service unavailable: the server is shutting down; retry on another replica")
        #expect(JSONRPCFailure(ServiceError.shuttingDown, shutdownAdvice: "local mode is shutting down").error.message == "Service unavailable: local mode is shutting down")
    }
}

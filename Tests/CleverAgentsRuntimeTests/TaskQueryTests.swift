//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct TaskQueryTests {
    @Test func getTaskAppliesHistoryLength() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            for (length, expected) in [(nil, 1), (0, 0), (1, 1), (5, 1)] as [(Int?, Int)] {
                let response = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id, historyLength: length)), context: harness.context())
                guard case .task(let fetched) = response else {
                    Issue.record("expected a task")
                    return
                }
                #expect(fetched.history.count == expected, "historyLength \(String(describing: length))")
                #expect(fetched.status == task.status)
            }
        }
    }

    @Test func aNegativeHistoryLengthIsInvalid() async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTask(GetTaskRequest(id: "x", historyLength: -1)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
        }
    }

    @Test func anotherMembersTaskIsNotFoundButAnAdminSeesIt() async throws {
        try await RuntimeHarness.with { harness in
            let alice = harness.context(principal: "alice", role: .member)
            let task = try await send(harness, "x", context: alice)
            let bob = harness.context(principal: "bob", role: .member)
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: bob)
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
            #expect(error?.message.contains("alice") == false)

            let admin = harness.context(principal: "carol", role: .admin)
            let response = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: admin)
            guard case .task(let seen) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(seen.id == task.id)

            let list = try await harness.service.handle(.listTasks(ListTasksRequest()), context: bob)
            guard case .taskList(let page) = list else {
                Issue.record("expected a list")
                return
            }
            #expect(page.tasks.isEmpty)
            #expect(page.totalSize == 0)
        }
    }

    @Test func listTasksPagesNewestFirstWithAStableCursorUntilAnEmptyToken() async throws {
        try await RuntimeHarness.with { harness in
            var created: [String] = []
            for index in 0..<7 {
                created.append(try await send(harness, "task \(index)").id)
            }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let response = try await harness.service.handle(.listTasks(ListTasksRequest(pageSize: 3, pageToken: token)), context: harness.context())
                guard case .taskList(let page) = response else {
                    Issue.record("expected a list")
                    return
                }
                #expect(page.pageSize == 3)
                #expect(page.totalSize == 7)
                #expect(page.tasks.allSatisfy { $0.artifacts == nil }, "artifacts are left out unless includeArtifacts")
                seen.append(contentsOf: page.tasks.map(\.id))
                token = page.nextPageToken.isEmpty ? nil : page.nextPageToken
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(seen) == Set(created))
            #expect(seen.count == 7)
            let timestamps = try await seen.asyncMap { try await harness.store.task(namespace: harness.namespace, id: $0)!.status.timestamp! }
            #expect(timestamps == timestamps.sorted(by: >), "newest status first")
        }
    }

    @Test func listTasksFiltersByContextStateAndTime() async throws {
        try await RuntimeHarness.with { harness in
            let first = try await send(harness, "a", contextId: "ctx-a")
            _ = try await send(harness, "b", contextId: "ctx-b")
            func list(_ request: ListTasksRequest) async throws -> ListTasksResponse {
                guard case .taskList(let page) = try await harness.service.handle(.listTasks(request), context: harness.context()) else {
                    throw RPCCallError(error: "no list")
                }
                return page
            }
            #expect(try await list(ListTasksRequest(contextId: "ctx-a")).tasks.map(\.id) == [first.id])
            #expect(try await list(ListTasksRequest(contextId: "unknown")).tasks.isEmpty)
            #expect(try await list(ListTasksRequest(status: .completed)).totalSize == 2)
            #expect(try await list(ListTasksRequest(status: .working)).totalSize == 0)
            let after = try #require(first.status.timestamp)
            let later = try await list(ListTasksRequest(statusTimestampAfter: after))
            #expect(!later.tasks.contains { $0.id == first.id })
            let withArtifacts = try await list(ListTasksRequest(contextId: "ctx-a", includeArtifacts: true))
            #expect(withArtifacts.tasks.first?.artifacts?.isEmpty == false)
            let noHistory = try await list(ListTasksRequest(contextId: "ctx-a", historyLength: 0))
            #expect(noHistory.tasks.first?.history.isEmpty == true)
        }
    }

    @Test(arguments: [0, 101, -1])
    func pageSizesOutsideOneToAHundredAreInvalid(pageSize: Int) async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.listTasks(ListTasksRequest(pageSize: pageSize)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("pageSize") == true)
        }
    }

    @Test func aForeignPageTokenIsInvalid() async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.listTasks(ListTasksRequest(pageToken: "not a token!")), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("pageToken") == true)
        }
    }

    @Test func pageTokensRoundTrip() {
        let cursor = TaskCursor(statusTimestamp: .init(millisecondsSinceEpoch: 1_764_000_000_123), id: "01a2-x:y")
        #expect(PageToken.decode(PageToken.encode(cursor)) == cursor)
        #expect(PageToken.decode("") == nil)
        #expect(PageToken.decode(String(repeating: "a", count: 300)) == nil)
    }
}

func send(_ harness: RuntimeHarness, _ text: String, contextId: String? = nil, context: RequestContext? = nil) async throws -> A2ATask {
    let response = try await harness.service.handle(
        .sendMessage(SendMessageRequest(message: RuntimeHarness.message(text, contextId: contextId))),
        context: context ?? harness.context()
    )
    guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
    return task
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

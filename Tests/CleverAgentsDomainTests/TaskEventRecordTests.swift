//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import Testing

@Suite("TaskEventRecord", .timeLimit(.minutes(2)))
struct TaskEventRecordTests {
    static func record(_ event: StreamResponse) -> TaskEventRecord {
        TaskEventRecord(namespace: NamespaceName("acme")!, taskId: "t1", sequence: 1, event: event)
    }

    static func statusUpdate(_ state: TaskState) -> StreamResponse {
        .statusUpdate(TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: state)))
    }

    static func task(_ state: TaskState) -> StreamResponse {
        .task(A2ATask(id: "t1", contextId: "c1", status: TaskStatus(state: state)))
    }

    @Test("a status update ends the stream exactly when its state is terminal or interrupted", arguments: TaskState.allCases)
    func statusUpdates(state: TaskState) {
        let ends = [TaskState.completed, .failed, .canceled, .rejected, .inputRequired, .authRequired].contains(state)
        #expect(Self.record(Self.statusUpdate(state)).endsStream() == ends)
        #expect(Self.record(Self.statusUpdate(state)).endsStream(untilInterrupted: false) == state.isTerminal, "subscriptions end only when terminal")
    }

    @Test("a task snapshot ends the stream only when terminal", arguments: TaskState.allCases)
    func taskSnapshots(state: TaskState) {
        let ends = [TaskState.completed, .failed, .canceled, .rejected].contains(state)
        #expect(Self.record(Self.task(state)).endsStream() == ends)
    }

    @Test("a direct message ends the stream; an artifact update never does")
    func messagesAndArtifacts() {
        #expect(Self.record(.message(Message(messageId: "m", role: .agent, parts: [.text("hi")]))).endsStream())
        let chunk = TaskArtifactUpdateEvent(
            taskId: "t1",
            contextId: "c1",
            artifact: Artifact(artifactId: "a", parts: []),
            append: true,
            lastChunk: true
        )
        #expect(!Self.record(.artifactUpdate(chunk)).endsStream())
    }

    @Test("the record keeps its namespace, task and sequence")
    func fields() {
        let record = TaskEventRecord(namespace: NamespaceName("acme")!, taskId: "t9", sequence: 42, event: Self.task(.working))
        #expect(record.namespace.rawValue == "acme")
        #expect(record.taskId == "t9")
        #expect(record.sequence == 42)
        #expect(record.event == Self.task(.working))
    }
}

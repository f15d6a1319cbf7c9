//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import Foundation
import Testing

@Suite("TaskRecord", .timeLimit(.minutes(2)))
struct TaskRecordTests {
    static let created = A2ATimestamp(millisecondsSinceEpoch: 1_000_000)
    static let later = A2ATimestamp(millisecondsSinceEpoch: 2_000_000)

    static func record(state: TaskState = .submitted, message: Message? = nil) -> TaskRecord {
        TaskRecord(
            namespace: NamespaceName("acme")!,
            id: "t1",
            contextId: "c1",
            owner: "user:alice",
            actorName: "echo",
            status: TaskStatus(state: state, message: message, timestamp: created),
            history: [Message(messageId: "u1", contextId: "c1", taskId: "t1", role: .user, parts: [.text("hello")])],
            threadID: "thread-1",
            createdAt: created
        )
    }

    static func agentMessage(_ id: String, _ text: String) -> Message {
        Message(messageId: id, role: .agent, parts: [.text(text)])
    }

    // MARK: Status updates

    @Test("a status update sets the state, the timestamp, and announces itself")
    func statusUpdate() throws {
        var record = Self.record()
        let event = try record.apply(.status(.working, message: nil), at: Self.later)
        #expect(record.state == .working)
        #expect(record.status == TaskStatus(state: .working, timestamp: Self.later))
        #expect(event == .statusUpdate(TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: record.status)))
    }

    @Test("every change bumps the version and sets updatedAt")
    func versionAndUpdatedAt() throws {
        var record = Self.record()
        #expect(record.version == 1)
        #expect(record.updatedAt == Self.created)
        _ = try record.apply(.status(.working, message: nil), at: Self.later)
        #expect(record.version == 2)
        #expect(record.updatedAt == Self.later)
        _ = try record.apply(
            .artifact(Artifact(artifactId: "a1", parts: [.text("x")]), append: false, lastChunk: false),
            at: A2ATimestamp(millisecondsSinceEpoch: 3_000_000)
        )
        #expect(record.version == 3)
        #expect(record.updatedAt.millisecondsSinceEpoch == 3_000_000)
        record.appendUserMessage(Message(messageId: "u2", role: .user, parts: [.text("more")]), at: A2ATimestamp(millisecondsSinceEpoch: 4_000_000))
        #expect(record.version == 4)
        #expect(record.updatedAt.millisecondsSinceEpoch == 4_000_000)
        #expect(record.createdAt == Self.created)
    }

    @Test("an agent status message gets the task's id and contextId, and the agent role when it had none")
    func statusMessageIds() throws {
        var record = Self.record()
        let message = Message(messageId: "s1", contextId: "other", taskId: "other", role: .unspecified, parts: [.text("working")])
        let event = try record.apply(.status(.working, message: message), at: Self.later)
        let stored = try #require(record.status.message)
        #expect(stored.taskId == "t1")
        #expect(stored.contextId == "c1")
        #expect(stored.role == .agent)
        #expect(stored.parts == [.text("working")])
        guard case .statusUpdate(let update) = event else {
            Issue.record("expected a status update, got \(event)")
            return
        }
        #expect(update.status.message == stored)
    }

    @Test("a status message that names a role keeps it")
    func statusMessageKeepsRole() throws {
        var record = Self.record()
        _ = try record.apply(.status(.working, message: Message(messageId: "s1", role: .user, parts: [])), at: Self.later)
        #expect(record.status.message?.role == .user)
    }

    @Test("the status message being replaced moves into the history")
    func statusMessageMovesToHistory() throws {
        var record = Self.record()
        _ = try record.apply(.status(.working, message: Self.agentMessage("s1", "thinking")), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1"])
        _ = try record.apply(.status(.working, message: Self.agentMessage("s2", "still thinking")), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "s1"])
        #expect(record.history.last?.taskId == "t1")
        #expect(record.status.message?.messageId == "s2")
        _ = try record.apply(.status(.completed, message: nil), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "s1", "s2"])
        #expect(record.status.message == nil)
    }

    @Test("a progress message is shown while current but never kept in the history")
    func progressMessagesAreNotArchived() throws {
        var record = Self.record()
        var progress = Self.agentMessage("p1", "step one")
        progress.metadata = [TaskRecord.progressMetadataKey: true]
        _ = try record.apply(.status(.working, message: progress), at: Self.later)
        #expect(record.status.message?.messageId == "p1")
        _ = try record.apply(.status(.working, message: Self.agentMessage("s1", "real")), at: Self.later)
        _ = try record.apply(.status(.completed, message: nil), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "s1"])
    }

    @Test("a status message already in the history is not duplicated")
    func statusMessageNotDuplicated() throws {
        var record = Self.record()
        _ = try record.apply(.status(.working, message: Self.agentMessage("s1", "a")), at: Self.later)
        // The same message is reported again, then replaced twice.
        _ = try record.apply(.status(.working, message: Self.agentMessage("s1", "a")), at: Self.later)
        _ = try record.apply(.status(.working, message: nil), at: Self.later)
        _ = try record.apply(.status(.working, message: nil), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "s1"])
    }

    @Test("a status update without a message clears the status message")
    func statusWithoutMessage() throws {
        var record = Self.record(state: .working, message: Self.agentMessage("s1", "a"))
        _ = try record.apply(.status(.inputRequired, message: nil), at: Self.later)
        #expect(record.status.message == nil)
        #expect(record.history.map(\.messageId) == ["u1", "s1"])
    }

    @Test("terminal tasks refuse every update and stay unchanged", arguments: [TaskState.completed, .failed, .canceled, .rejected])
    func terminalRefusesUpdates(state: TaskState) throws {
        let original = Self.record(state: state)
        var record = original
        #expect(throws: TaskUpdateError.taskIsTerminal(state)) { try record.apply(.status(.working, message: nil), at: Self.later) }
        #expect(throws: TaskUpdateError.taskIsTerminal(state)) {
            try record.apply(.artifact(Artifact(artifactId: "a1", parts: []), append: false, lastChunk: true), at: Self.later)
        }
        #expect(record == original)
    }

    @Test("interrupted and working tasks accept updates", arguments: [TaskState.submitted, .working, .inputRequired, .authRequired, .unspecified])
    func nonTerminalAcceptsUpdates(state: TaskState) throws {
        var record = Self.record(state: state)
        _ = try record.apply(.status(.completed, message: nil), at: Self.later)
        #expect(record.state == .completed)
    }

    // MARK: Artifacts

    @Test("a new artifact is appended to the list and announced with its flags")
    func newArtifact() throws {
        var record = Self.record()
        let first = Artifact(artifactId: "a1", parts: [.text("one")])
        let second = Artifact(artifactId: "a2", parts: [.text("two")])
        _ = try record.apply(.artifact(first, append: false, lastChunk: false), at: Self.later)
        let event = try record.apply(.artifact(second, append: false, lastChunk: true), at: Self.later)
        #expect(record.artifacts == [first, second])
        #expect(event == .artifactUpdate(TaskArtifactUpdateEvent(taskId: "t1", contextId: "c1", artifact: second, append: false, lastChunk: true)))
    }

    @Test("an artifact with a known id and append false replaces the old one in place")
    func replaceArtifact() throws {
        var record = Self.record()
        _ = try record.apply(
            .artifact(Artifact(artifactId: "a1", name: "old", parts: [.text("old")]), append: false, lastChunk: false),
            at: Self.later
        )
        _ = try record.apply(.artifact(Artifact(artifactId: "a2", parts: [.text("other")]), append: false, lastChunk: false), at: Self.later)
        let replacement = Artifact(artifactId: "a1", parts: [.text("new")])
        _ = try record.apply(.artifact(replacement, append: false, lastChunk: true), at: Self.later)
        #expect(record.artifacts.map(\.artifactId) == ["a1", "a2"])
        #expect(record.artifacts[0] == replacement)
        #expect(record.artifacts[0].name == nil)
    }

    @Test("an append chunk extends the parts; the event carries only the chunk")
    func appendChunk() throws {
        var record = Self.record()
        _ = try record.apply(
            .artifact(
                Artifact(artifactId: "a1", name: "report", description: "d", parts: [.text("Hel")], metadata: ["k": 1]),
                append: false,
                lastChunk: false
            ),
            at: Self.later
        )
        let chunk = Artifact(artifactId: "a1", parts: [.text("lo")])
        let event = try record.apply(.artifact(chunk, append: true, lastChunk: true), at: Self.later)
        #expect(record.artifacts.count == 1)
        #expect(record.artifacts[0].parts == [.text("Hel"), .text("lo")])
        // A chunk without name, description or metadata keeps the ones already there.
        #expect(record.artifacts[0].name == "report")
        #expect(record.artifacts[0].description == "d")
        #expect(record.artifacts[0].metadata == ["k": 1])
        #expect(event == .artifactUpdate(TaskArtifactUpdateEvent(taskId: "t1", contextId: "c1", artifact: chunk, append: true, lastChunk: true)))
    }

    @Test("an append chunk that names name, description or metadata updates them")
    func appendChunkUpdatesFields() throws {
        var record = Self.record()
        _ = try record.apply(
            .artifact(Artifact(artifactId: "a1", name: "draft", parts: [.text("a")]), append: false, lastChunk: false),
            at: Self.later
        )
        _ = try record.apply(
            .artifact(
                Artifact(artifactId: "a1", name: "final", description: "done", parts: [.text("b")], metadata: ["v": 2]),
                append: true,
                lastChunk: true
            ),
            at: Self.later
        )
        #expect(record.artifacts[0].name == "final")
        #expect(record.artifacts[0].description == "done")
        #expect(record.artifacts[0].metadata == ["v": 2])
        #expect(record.artifacts[0].parts == [.text("a"), .text("b")])
    }

    @Test("appending to an unknown artifact is an error and changes nothing")
    func appendUnknownArtifact() throws {
        let original = Self.record()
        var record = original
        #expect(throws: TaskUpdateError.unknownArtifact("nope")) {
            try record.apply(.artifact(Artifact(artifactId: "nope", parts: [.text("x")]), append: true, lastChunk: false), at: Self.later)
        }
        #expect(record == original)
    }

    // MARK: User messages

    @Test("a follow-up user message joins the history with the task's ids")
    func appendUserMessage() {
        var record = Self.record(state: .working)
        record.appendUserMessage(Message(messageId: "u2", contextId: "other", role: .user, parts: [.text("more")]), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "u2"])
        #expect(record.history[1].taskId == "t1")
        #expect(record.history[1].contextId == "c1")
    }

    @Test("answering an input-required question keeps the conversation in order: question, then answer")
    func answerFollowsQuestion() throws {
        var record = Self.record(state: .working)
        _ = try record.apply(.status(.inputRequired, message: Self.agentMessage("q1", "Where to?")), at: Self.later)
        record.appendUserMessage(Message(messageId: "u2", role: .user, parts: [.text("New York")]), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "q1", "u2"])
        // Replacing the status afterwards does not add the question a second time.
        _ = try record.apply(.status(.working, message: nil), at: Self.later)
        _ = try record.apply(.status(.completed, message: Self.agentMessage("r1", "Booked")), at: Self.later)
        #expect(record.history.map(\.messageId) == ["u1", "q1", "u2"])
        #expect(record.status.message?.messageId == "r1")
    }

    // MARK: Wire form

    @Test("a2aTask carries the record's id, context, status, artifacts, history and metadata")
    func a2aTask() throws {
        var record = Self.record()
        record.metadata = ["actor": "echo"]
        _ = try record.apply(.artifact(Artifact(artifactId: "a1", parts: [.text("x")]), append: false, lastChunk: true), at: Self.later)
        let task = record.a2aTask()
        #expect(
            task
                == A2ATask(
                    id: "t1",
                    contextId: "c1",
                    status: record.status,
                    artifacts: record.artifacts,
                    history: record.history,
                    metadata: ["actor": "echo"]
                )
        )
    }

    @Test("a2aTask without artifacts leaves the artifacts out entirely")
    func a2aTaskWithoutArtifacts() throws {
        var record = Self.record()
        _ = try record.apply(.artifact(Artifact(artifactId: "a1", parts: [.text("x")]), append: false, lastChunk: true), at: Self.later)
        #expect(record.a2aTask(includeArtifacts: false).artifacts == nil)
        #expect(record.a2aTask(includeArtifacts: true).artifacts?.count == 1)
    }

    @Test("a2aTask trims the history as historyLength asks", arguments: [(Int?.none, 3), (0, 0), (1, 1), (2, 2), (3, 3), (10, 3)])
    func a2aTaskHistory(historyLength: Int?, count: Int) throws {
        var record = Self.record()
        record.appendUserMessage(Message(messageId: "u2", role: .user, parts: []), at: Self.later)
        record.appendUserMessage(Message(messageId: "u3", role: .user, parts: []), at: Self.later)
        let history = record.a2aTask(historyLength: historyLength).history
        #expect(history.map(\.messageId) == Array(["u1", "u2", "u3"].suffix(count)))
        #expect(record.history.count == 3)
    }

    @Test("the initializer defaults: version 1, no events yet, updatedAt = createdAt")
    func initializerDefaults() {
        let record = Self.record()
        #expect(record.version == 1)
        #expect(record.lastEventSequence == 0)
        #expect(record.updatedAt == record.createdAt)
        #expect(record.runID == nil)
        #expect(!record.repliedWithMessage)
        #expect(record.artifacts.isEmpty)
    }

    @Test("a run input is written as Foundation encodes it", arguments: [
        TaskRunInput(message: Message(messageId: "m", role: .user, parts: [.text("hi \"there\" /")])),
        TaskRunInput(message: Message(messageId: "m", contextId: "c", role: .user, parts: [.text("yes")]), interruptIDs: ["i1", "i2"], traceParent: "00-abc-def-01"),
    ])
    func runInputIsWrittenAsFoundationEncodesIt(input: TaskRunInput) throws {
        let written = try JSONValue(parsing: A2AJSONWriter.encode(input))
        let encoded = try JSONValue(parsing: Array(JSONEncoder().encode(input)))
        #expect(written == encoded)
        #expect(try JSONDecoder().decode(TaskRunInput.self, from: Data(A2AJSONWriter.encode(input))) == input)
    }
}

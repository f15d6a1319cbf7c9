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

/// `TaskRecord.apply(_:at:limits:)`: an update that would take a task past its limits is refused
/// and changes nothing.
@Suite("TaskLimits", .timeLimit(.minutes(2)))
struct TaskLimitsTests {
    static let now = A2ATimestamp(millisecondsSinceEpoch: 2_000_000)

    static func record(history: [Message] = []) -> TaskRecord {
        TaskRecord(
            namespace: NamespaceName("acme")!,
            id: "t1",
            contextId: "c1",
            owner: "user:alice",
            actorName: "echo",
            status: TaskStatus(state: .working, timestamp: A2ATimestamp(millisecondsSinceEpoch: 1_000_000)),
            history: history,
            threadID: "thread-1",
            createdAt: A2ATimestamp(millisecondsSinceEpoch: 1_000_000)
        )
    }

    static func text(_ count: Int, _ character: Character = "x") -> String {
        String(repeating: character, count: count)
    }

    static func chunk(_ text: String, id: String = "a1", append: Bool) -> TaskUpdate {
        .artifact(Artifact(artifactId: id, parts: [.text(text)]), append: append, lastChunk: false)
    }

    static func agent(_ id: String, _ text: String) -> Message {
        Message(messageId: id, role: .agent, parts: [.text(text)])
    }

    // MARK: Artifacts

    @Test("artifacts up to exactly the limit are applied; one byte more is refused and changes nothing")
    func artifactBoundary() throws {
        let limits = TaskLimits(maximumArtifactBytes: 100)
        var record = Self.record()
        _ = try record.apply(Self.chunk(Self.text(60), append: false), at: Self.now, limits: limits)
        _ = try record.apply(Self.chunk(Self.text(30, "y"), id: "a2", append: false), at: Self.now, limits: limits)
        _ = try record.apply(Self.chunk(Self.text(10), append: true), at: Self.now, limits: limits)
        #expect(record.artifactBytes == 100)

        let before = record
        #expect(throws: TaskUpdateError.artifactsTooLarge(limit: 100)) {
            _ = try record.apply(Self.chunk("z", id: "a2", append: true), at: Self.now, limits: limits)
        }
        #expect(record == before)
        #expect(record.version == before.version)
        #expect(record.artifactBytes == 100)
    }

    @Test("streamed chunks add up; the chunk that would pass the limit is the one refused")
    func streamedChunks() throws {
        let limits = TaskLimits(maximumArtifactBytes: 1000)
        var record = Self.record()
        var applied = 0
        for index in 0..<500 {
            do {
                _ = try record.apply(Self.chunk(Self.text(7), append: index > 0), at: Self.now, limits: limits)
                applied += 1
            } catch {
                #expect(error == .artifactsTooLarge(limit: 1000))
                break
            }
        }
        #expect(applied == 1000 / 7)
        #expect(record.artifacts.first?.parts.count == applied)
        #expect(record.artifactBytes == applied * 7)
    }

    @Test("an artifact sent again whole replaces the old one's size instead of adding to it")
    func replacementCountsOnce() throws {
        let limits = TaskLimits(maximumArtifactBytes: 100)
        var record = Self.record()
        for _ in 0..<10 {
            _ = try record.apply(Self.chunk(Self.text(80), append: false), at: Self.now, limits: limits)
        }
        #expect(record.artifactBytes == 80)
        #expect(throws: TaskUpdateError.artifactsTooLarge(limit: 100)) {
            _ = try record.apply(Self.chunk(Self.text(101), append: false), at: Self.now, limits: limits)
        }
    }

    @Test("artifacts changed directly are measured again: the kept measure is never stale")
    func directChangesAreSeen() throws {
        let limits = TaskLimits(maximumArtifactBytes: 100)
        var record = Self.record()
        _ = try record.apply(Self.chunk(Self.text(50), append: false), at: Self.now, limits: limits)
        record.artifacts.append(Artifact(artifactId: "direct", parts: [.text(Self.text(45))]))
        _ = try record.apply(Self.chunk(Self.text(5), append: true), at: Self.now, limits: limits)
        #expect(throws: TaskUpdateError.artifactsTooLarge(limit: 100)) {
            _ = try record.apply(Self.chunk("x", append: true), at: Self.now, limits: limits)
        }
        record.artifacts.removeAll()
        _ = try record.apply(Self.chunk(Self.text(100), append: false), at: Self.now, limits: limits)
        #expect(record.artifactBytes == 100)
    }

    @Test("records equal in content are equal whether or not a limited update measured them")
    func measureIsNotPartOfTheValue() throws {
        var limited = Self.record()
        var unlimited = Self.record()
        let update = Self.chunk(Self.text(10), append: false)
        _ = try limited.apply(update, at: Self.now, limits: TaskLimits(maximumArtifactBytes: 100))
        _ = try unlimited.apply(update, at: Self.now)
        #expect(limited == unlimited)
        #expect(limited.hashValue == unlimited.hashValue)
    }

    // MARK: History

    @Test("the history may hold the limit's number of messages; the update that would archive one more is refused")
    func historyLength() throws {
        let limits = TaskLimits(maximumHistoryMessages: 3)
        var record = Self.record()
        // Each status message moves into the history when the next status replaces it.
        for index in 0..<4 {
            _ = try record.apply(.status(.working, message: Self.agent("m\(index)", "step \(index)")), at: Self.now, limits: limits)
        }
        #expect(record.history.map(\.messageId) == ["m0", "m1", "m2"])
        let before = record
        #expect(throws: TaskUpdateError.historyTooLong(limit: 3)) {
            _ = try record.apply(.status(.working, message: Self.agent("m4", "step 4")), at: Self.now, limits: limits)
        }
        #expect(record == before)
    }

    @Test("progress messages never join the history, so they pass a full history")
    func progressPassesAFullHistory() throws {
        let limits = TaskLimits(maximumHistoryMessages: 1)
        var record = Self.record(history: [Self.agent("h", "hello")])
        let progress = Message(messageId: "p", role: .agent, parts: [.text("…")], metadata: [TaskRecord.progressMetadataKey: true])
        for _ in 0..<3 {
            _ = try record.apply(.status(.working, message: progress), at: Self.now, limits: limits)
        }
        _ = try record.apply(.status(.working, message: nil), at: Self.now, limits: limits)
        #expect(record.history.count == 1)
    }

    @Test("the history and the status message together may not pass the size limit")
    func historySize() throws {
        let limits = TaskLimits(maximumHistoryBytes: 100)
        var record = Self.record(history: [Self.agent("h", Self.text(40))])
        _ = try record.apply(.status(.working, message: Self.agent("a", Self.text(60))), at: Self.now, limits: limits)
        #expect(throws: TaskUpdateError.historyTooLarge(limit: 100)) {
            _ = try record.apply(.status(.working, message: Self.agent("b", "x")), at: Self.now, limits: limits)
        }
        #expect(record.status.message?.messageId == "a")
        // Without a message, nothing is added: the status message moves into the history.
        _ = try record.apply(.status(.working, message: nil), at: Self.now, limits: limits)
        #expect(record.historyBytes == 100)
    }

    @Test("a history already past a limit refuses only updates that add to it")
    func historyAlreadyOver() throws {
        let limits = TaskLimits(maximumHistoryMessages: 10, maximumHistoryBytes: 50)
        var record = Self.record(history: [Self.agent("h", Self.text(80))])
        _ = try record.apply(.status(.working, message: nil), at: Self.now, limits: limits)
        _ = try record.apply(Self.chunk("answer", append: false), at: Self.now, limits: limits)
        #expect(throws: TaskUpdateError.historyTooLarge(limit: 50)) {
            _ = try record.apply(.status(.completed, message: Self.agent("done", "ok")), at: Self.now, limits: limits)
        }
    }

    @Test("without limits nothing is refused")
    func unlimited() throws {
        var record = Self.record()
        _ = try record.apply(Self.chunk(Self.text(1 << 20), append: false), at: Self.now)
        for index in 0..<50 {
            _ = try record.apply(.status(.working, message: Self.agent("m\(index)", "x")), at: Self.now)
        }
        #expect(record.history.count == 49)
    }

    // MARK: Measure

    @Test("content is measured in bytes: UTF-8 text, raw bytes, URLs, names and metadata")
    func contentBytes() {
        #expect(TaskRecord.contentBytes(of: Part.text("Grüße")) == 7)
        #expect(TaskRecord.contentBytes(of: Part(.raw(Data(repeating: 0, count: 33)))) == 33)
        #expect(TaskRecord.contentBytes(of: Part(.url("https://a.example"), filename: "f.txt", mediaType: "text/plain")) == 17 + 5 + 10)
        let artifact = Artifact(artifactId: "a", name: "name", description: "desc", parts: [.text("abc"), .text("de")])
        #expect(TaskRecord.contentBytes(of: artifact) == 4 + 4 + 3 + 2)
        #expect(TaskRecord.contentBytes(of: Message(messageId: "m", role: .agent, parts: [.text("hello")])) == 5)
    }

    @Test("data is measured as about its JSON length, never less than its strings")
    func dataBytes() throws {
        let value: JSONValue = ["key": "value", "list": ["a", "bc", true, .null], "nested": ["x": "y"]]
        let json = try JSONEncoder().encode(value)
        let measured = TaskRecord.contentBytes(of: value)
        #expect(measured >= json.count)
        #expect(measured <= json.count + 8)
    }

    @Test("a deeply nested value is measured without recursion")
    func deepValue() {
        var value: JSONValue = "leaf"
        for _ in 0..<200_000 { value = .array([value]) }
        #expect(TaskRecord.contentBytes(of: value) == 6 + 200_000 * 3)
        // Taken apart level by level: releasing the chain at once would recurse as deep.
        while case .array(let inner) = value, let next = inner.first { value = next }
    }

    @Test("byte counts read in the largest binary unit that divides them")
    func byteCountText() {
        #expect(ByteCount.text(8 << 20) == "8 MiB")
        #expect(ByteCount.text(64 << 10) == "64 KiB")
        #expect(ByteCount.text(1 << 30) == "1 GiB")
        #expect(ByteCount.text((8 << 20) + 1) == "8388609 bytes")
        #expect(ByteCount.text(1536) == "1536 bytes")
        #expect(ByteCount.text(1) == "1 byte")
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// How large a task may grow, so that no graph can make a task (held in memory by its runner,
/// written whole on every change) grow without end.
///
/// Passed to ``TaskRecord/apply(_:at:limits:)``: an update that would take the task past one of
/// them is not applied. Sizes are measured by `TaskRecord.contentBytes(of:)`: the content of
/// parts, names and metadata, not the JSON around them.
public struct TaskLimits: Sendable, Hashable {
    /// The most content all the task's artifacts hold together, in bytes.
    public var maximumArtifactBytes: Int
    /// The most messages in the task's history.
    public var maximumHistoryMessages: Int
    /// The most content the task's messages (its history and its status message) hold together, in bytes.
    public var maximumHistoryBytes: Int

    public init(maximumArtifactBytes: Int = 16 << 20, maximumHistoryMessages: Int = 1000, maximumHistoryBytes: Int = 16 << 20) {
        self.maximumArtifactBytes = maximumArtifactBytes
        self.maximumHistoryMessages = maximumHistoryMessages
        self.maximumHistoryBytes = maximumHistoryBytes
    }

    /// No limits: what a change made by the server itself (a cancel, a failure) is applied with.
    public static let unlimited = TaskLimits(maximumArtifactBytes: .max, maximumHistoryMessages: .max, maximumHistoryBytes: .max)
}

extension TaskRecord {
    /// The content of the task's artifacts, in bytes (see `contentBytes(of:)`).
    public var artifactBytes: Int {
        artifacts.reduce(0) { $0 + Self.contentBytes(of: $1) }
    }

    /// The content of the task's history, in bytes (see `contentBytes(of:)`).
    public var historyBytes: Int {
        history.reduce(0) { $0 + Self.contentBytes(of: $1) }
    }

    /// The content of an artifact: its parts, name, description and metadata.
    public static func contentBytes(of artifact: Artifact) -> Int {
        var bytes = (artifact.name?.utf8.count ?? 0) + (artifact.description?.utf8.count ?? 0)
        bytes += artifact.metadata.map { contentBytes(of: .object($0)) } ?? 0
        for part in artifact.parts { bytes += contentBytes(of: part) }
        return bytes
    }

    /// The content of a message: its parts and metadata.
    public static func contentBytes(of message: Message) -> Int {
        var bytes = message.metadata.map { contentBytes(of: .object($0)) } ?? 0
        for part in message.parts { bytes += contentBytes(of: part) }
        return bytes
    }

    /// The content of a part: text and URLs in UTF-8, raw bytes as they are (not base64), data as
    /// about the length of its JSON; plus its metadata, file name and media type.
    public static func contentBytes(of part: Part) -> Int {
        var bytes = (part.filename?.utf8.count ?? 0) + (part.mediaType?.utf8.count ?? 0)
        bytes += part.metadata.map { contentBytes(of: .object($0)) } ?? 0
        switch part.content {
        case .text(let text): bytes += text.utf8.count
        case .raw(let data): bytes += data.count
        case .url(let url): bytes += url.utf8.count
        case .data(let value): bytes += contentBytes(of: value)
        }
        return bytes
    }

    /// About the length of a JSON value's compact text: strings and keys in UTF-8 with their
    /// quotes, 8 bytes a number, separators and brackets (escapes are not counted).
    ///
    /// Walks the value with a stack of its own rather than by recursion: a deeply nested value
    /// from a graph must not exhaust the thread's stack.
    public static func contentBytes(of value: JSONValue) -> Int {
        var bytes = 0
        var pending = [value]
        while let next = pending.popLast() {
            switch next {
            case .null: bytes += 4
            case .bool: bytes += 5
            case .number: bytes += 8
            case .string(let text): bytes += text.utf8.count + 2
            case .array(let values):
                bytes += 2 + values.count
                pending.append(contentsOf: values)
            case .object(let members):
                bytes += 2 + members.count
                for (key, member) in members {
                    bytes += key.utf8.count + 3
                    pending.append(member)
                }
            }
        }
        return bytes
    }
}

/// The measured content of a task's artifacts and history, kept between updates so that each
/// limited update measures only what it changes (a streamed artifact has thousands of chunks).
///
/// Not part of the task's value: any two are equal, and the record forgets them whenever its
/// artifacts or history change other than through ``TaskRecord/apply(_:at:limits:)``.
struct TaskContentMeasure: Sendable, Hashable {
    var artifactBytes: Int?
    var historyBytes: Int?

    static func == (lhs: TaskContentMeasure, rhs: TaskContentMeasure) -> Bool { true }

    func hash(into hasher: inout Hasher) {}
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

// Each `write(to:)` mirrors the type's `encode(to:)`: the same members, omitted in the same cases.

extension String: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        writer.string(self)
    }
}

extension JSONValue: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .number(let value):
            if value.rounded(.towardZero) == value, abs(value) < 9_007_199_254_740_992 {
                writer.integer(Int64(value))
            } else {
                try writer.number(value)
            }
        case .string(let value): writer.string(value)
        case .array(let values): try writer.array(values)
        case .object(let object): try object.write(to: &writer)
        }
    }
}

extension JSONRPCID: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        switch self {
        case .string(let value): writer.string(value)
        case .number(let value): writer.integer(value)
        case .null: writer.null()
        }
    }
}

extension A2ATimestamp: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        writer.string(rfc3339)
    }
}

extension TaskState: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        writer.string(rawValue)
    }
}

extension Role: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        writer.string(rawValue)
    }
}

extension Part: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            switch content {
            case .text(let text): object.member("text", text)
            case .raw(let raw): object.member("raw", raw.base64EncodedString())
            case .url(let url): object.member("url", url)
            case .data(let data): try object.member("data", data)
            }
            try object.member("metadata", ifPresent: metadata)
            object.member("filename", ifPresent: filename)
            object.member("mediaType", ifPresent: mediaType)
        }
    }
}

extension Message: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("messageId", messageId)
            object.member("contextId", ifPresent: contextId)
            object.member("taskId", ifPresent: taskId)
            try object.member("role", role)
            try object.member("parts", array: parts)
            try object.member("metadata", ifPresent: metadata)
            if !extensions.isEmpty { object.member("extensions", strings: extensions) }
            if !referenceTaskIds.isEmpty { object.member("referenceTaskIds", strings: referenceTaskIds) }
        }
    }
}

extension Artifact: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("artifactId", artifactId)
            object.member("name", ifPresent: name)
            object.member("description", ifPresent: description)
            try object.member("parts", array: parts)
            try object.member("metadata", ifPresent: metadata)
            if !extensions.isEmpty { object.member("extensions", strings: extensions) }
        }
    }
}

extension TaskStatus: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            try object.member("state", state)
            try object.member("message", ifPresent: message)
            try object.member("timestamp", ifPresent: timestamp)
        }
    }
}

extension A2ATask: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("id", id)
            object.member("contextId", contextId)
            try object.member("status", status)
            if let artifacts, !artifacts.isEmpty { try object.member("artifacts", array: artifacts) }
            if !history.isEmpty { try object.member("history", array: history) }
            try object.member("metadata", ifPresent: metadata)
        }
    }
}

extension TaskStatusUpdateEvent: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("taskId", taskId)
            object.member("contextId", contextId)
            try object.member("status", status)
            try object.member("metadata", ifPresent: metadata)
        }
    }
}

extension TaskArtifactUpdateEvent: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("taskId", taskId)
            object.member("contextId", contextId)
            try object.member("artifact", artifact)
            if append { object.member("append", append) }
            if lastChunk { object.member("lastChunk", lastChunk) }
            try object.member("metadata", ifPresent: metadata)
        }
    }
}

extension StreamResponse: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            switch self {
            case .task(let task): try object.member("task", task)
            case .message(let message): try object.member("message", message)
            case .statusUpdate(let event): try object.member("statusUpdate", event)
            case .artifactUpdate(let event): try object.member("artifactUpdate", event)
            }
        }
    }
}

extension SendMessageResponse: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            switch self {
            case .task(let task): try object.member("task", task)
            case .message(let message): try object.member("message", message)
            }
        }
    }
}

extension JSONRPCResultResponse: A2AJSONWritable where Result: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            object.member("jsonrpc", "2.0")
            try object.member("id", id)
            try object.member("result", result)
        }
    }
}

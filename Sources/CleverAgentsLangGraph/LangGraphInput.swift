//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// The input convention: how an A2A message becomes a LangGraph run input.
///
/// As LangGraph's own A2A endpoint does it, so graphs written for it work here: text and file
/// parts become one user entry (a LangChain message dict) appended to the input's `messages`;
/// each data part that is a JSON object is merged into the input.
enum LangGraphInput {
    /// The `input` of a run started by `message`.
    static func runInput(for message: Message) -> JSONObject {
        var input: JSONObject = [:]
        var blocks: [JSONValue] = []
        var texts: [String] = []
        var onlyText = true
        for part in message.parts {
            switch part.content {
            case .text(let text):
                texts.append(text)
                blocks.append(["type": "text", "text": .string(text)])
            case .data(let value):
                if let object = value.objectValue {
                    for (key, value) in object where key != "messages" {
                        input[key] = value
                    }
                } else {
                    onlyText = false
                    blocks.append(["type": "text", "text": .string(Self.compactJSON(value))])
                }
            case .raw(let data):
                onlyText = false
                blocks.append(fileBlock(part, source: ["base64": .string(data.base64EncodedString())]))
            case .url(let url):
                onlyText = false
                blocks.append(fileBlock(part, source: ["url": .string(url)]))
            }
        }
        if !blocks.isEmpty {
            let content: JSONValue = onlyText ? .string(texts.joined(separator: "\n")) : .array(blocks)
            input["messages"] = [["type": "human", "content": content, "id": .string(message.messageId)]]
        }
        return input
    }

    /// The `command.resume` value answering the pending interrupts `interruptIDs` with `message`.
    ///
    /// The answer is the message's single data part (`{"resume": X}` answers with `X`), else its
    /// text. An object keyed by pending interrupt ids answers each of them and is sent as it is;
    /// any other answer to a single pending interrupt is sent keyed by its id, so that it can only
    /// answer the question the task asked.
    static func resumeValue(for message: Message, interruptIDs: [String] = []) -> JSONValue {
        let data = message.parts.compactMap { part -> JSONValue? in
            if case .data(let value) = part.content { return value }
            return nil
        }
        var answer: JSONValue
        if data.count == 1, let value = data.first {
            if let object = value.objectValue, !object.isEmpty, !interruptIDs.isEmpty, Set(object.keys).isSubset(of: Set(interruptIDs)) {
                return value
            }
            if let object = value.objectValue, object.count == 1, let resume = object["resume"] {
                answer = resume
            } else {
                answer = value
            }
        } else {
            answer = .string(message.parts.compactMap(\.text).joined(separator: "\n"))
        }
        if interruptIDs.count == 1, let id = interruptIDs.first {
            answer = .object([id: answer])
        }
        return answer
    }

    private static func fileBlock(_ part: Part, source: JSONObject) -> JSONValue {
        var block = source
        let mediaType = part.mediaType ?? "application/octet-stream"
        block["type"] = mediaType.hasPrefix("image/") ? "image" : "file"
        block["mime_type"] = .string(mediaType)
        if let filename = part.filename { block["filename"] = .string(filename) }
        return .object(block)
    }

    static func compactJSON(_ value: JSONValue) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? ""
    }
}

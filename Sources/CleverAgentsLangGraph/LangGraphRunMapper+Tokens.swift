//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

extension LangGraphRunMapper {
    /// The text of the AI messages that the `messages` stream modes report, as one streamed
    /// artifact.
    ///
    /// `messages-tuple` sends each chunk as `[chunk, metadata]` (LLM tokens as `AIMessageChunk`s,
    /// and the whole AI messages that nodes return); `messages` sends `messages/partial` events
    /// with each message's text so far, of which only the new end counts. Messages after the
    /// first are separated by a blank line. The last piece of text is always held back, so that
    /// the run's end can close the artifact with a chunk that carries text.
    struct TokenStream: Sendable, Hashable {
        /// The streamed artifact's id, once its first chunk was sent.
        var artifactID: String?
        private var unsent = ""
        private var held = ""
        /// All the text so far, when kept (for a catch-up, which sends it whole at the end).
        private(set) var fullText = ""
        private let keepsFullText: Bool
        private var currentMessageID: String?
        private var partialTexts: [String: String] = [:]
        private var closed = false
        /// Whether any text was streamed.
        private(set) var hasText = false

        /// - Parameter keepsFullText: keep all the text in ``fullText``; otherwise only what is
        ///   not sent yet is kept.
        init(keepsFullText: Bool) {
            self.keepsFullText = keepsFullText
        }

        /// Adds a `messages-tuple` chunk.
        mutating func add(_ chunk: JSONValue) {
            guard let type = LangGraphRunMapper.messageType(chunk), type == "ai" || type == "AIMessageChunk",
                let text = LangGraphRunMapper.text(ofMessage: chunk), !text.isEmpty
            else { return }
            append(text, messageID: chunk["id"]?.stringValue)
        }

        /// Adds a message of a `messages/partial` event: its text so far.
        mutating func add(partial message: JSONValue) {
            guard LangGraphRunMapper.messageType(message) == "ai", let text = LangGraphRunMapper.text(ofMessage: message) else { return }
            let id = message["id"]?.stringValue ?? ""
            let previous = partialTexts[id] ?? ""
            partialTexts[id] = text
            // A message whose text changed other than by growing cannot be streamed as a delta.
            guard text.hasPrefix(previous), text.count > previous.count else { return }
            append(String(text.dropFirst(previous.count)), messageID: id)
        }

        private mutating func append(_ text: String, messageID: String?) {
            guard !closed else { return }
            var delta = text
            if let messageID {
                if let currentMessageID, currentMessageID != messageID, hasText {
                    delta = "\n\n" + delta
                }
                currentMessageID = messageID
            }
            if keepsFullText { fullText += delta }
            hasText = hasText || !delta.isEmpty
            unsent += held
            held = delta
        }

        /// The text to send now, all but the held-back last piece.
        mutating func takeUnsent() -> String? {
            guard !closed, !unsent.isEmpty else { return nil }
            defer { unsent = "" }
            return unsent
        }

        /// The rest of the text, ending the stream.
        mutating func takeRest() -> String? {
            guard !closed else { return nil }
            closed = true
            let rest = unsent + held
            unsent = ""
            held = ""
            return rest.isEmpty ? nil : rest
        }

        /// Ends the stream without sending anything more.
        mutating func close() {
            closed = true
        }
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import Testing

@Suite("Part", .timeLimit(.minutes(2)))
struct PartTests {
    @Test("a text part is {\"text\": …} with no kind")
    func textPart() throws {
        let part = try JSONTesting.decode(Part.self, #"{"text": "Hello"}"#)
        #expect(part.content == .text("Hello"))
        #expect(part.text == "Hello")
        #expect(try JSONTesting.encodedString(part) == #"{"text":"Hello"}"#)
    }

    @Test("a raw part carries base64 bytes, a filename and a media type")
    func rawPart() throws {
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF])
        let part = try JSONTesting.decode(Part.self, #"{"raw": "\#(bytes.base64EncodedString())", "filename": "a.png", "mediaType": "image/png"}"#)
        #expect(part.content == .raw(bytes))
        #expect(part.filename == "a.png")
        #expect(part.mediaType == "image/png")
        #expect(part.text == nil)
        #expect(try JSONTesting.encodedString(part) == #"{"filename":"a.png","mediaType":"image/png","raw":"iVBORwD/"}"#)
    }

    @Test("a raw part that is not valid base64 is rejected, naming the raw field")
    func invalidBase64() throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(Part.self, #"{"raw": "iVBORw0KGgo..."}"#) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["raw"])
    }

    @Test("a url part")
    func urlPart() throws {
        let part = try JSONTesting.decode(Part.self, #"{"url": "https://example.com/a.png", "mediaType": "image/png"}"#)
        #expect(part.content == .url("https://example.com/a.png"))
        #expect(try JSONTesting.encodedString(part) == #"{"mediaType":"image/png","url":"https://example.com/a.png"}"#)
    }

    @Test("a data part holds any JSON value", arguments: [#"{"a": [1, {"b": null}]}"#, "[1, 2]", #""text""#, "42", "true", "null"])
    func dataPart(json: String) throws {
        let value = try JSONTesting.value(json)
        let part = try JSONTesting.decode(Part.self, #"{"data": \#(json), "mediaType": "application/json"}"#)
        #expect(part.content == .data(value))
        #expect(part.mediaType == "application/json")
        #expect(try JSONTesting.encodedValue(part) == ["data": value, "mediaType": "application/json"])
    }

    @Test("metadata is kept on any part")
    func metadata() throws {
        let part = try JSONTesting.decode(Part.self, #"{"text": "x", "metadata": {"schema": {"type": "array"}}}"#)
        #expect(part.metadata == ["schema": ["type": "array"]])
        #expect(try JSONTesting.encodedValue(part) == ["text": "x", "metadata": ["schema": ["type": "array"]]])
    }

    @Test("a part without content is rejected")
    func noContent() throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(Part.self, #"{"mediaType": "text/plain"}"#) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription == "A part must have one of text, raw, url or data")
    }

    @Test(
        "a part with two kinds of content is rejected",
        arguments: [#"{"text": "a", "url": "https://x"}"#, #"{"text": "a", "data": {}}"#, #"{"raw": "AA==", "url": "https://x"}"#]
    )
    func twoContents(json: String) throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(Part.self, json) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription == "A part must have only one of text, raw, url or data")
    }

    @Test("the 0.3 kind discriminator is ignored as an unknown field")
    func kindIgnored() throws {
        let part = try JSONTesting.decode(Part.self, #"{"kind": "text", "text": "Hello, world!"}"#)
        #expect(part == .text("Hello, world!"))
    }

    @Test("the 0.3 file part (file.bytes) has no 1.0 content and is rejected")
    func legacyFilePart() {
        #expect(throws: DecodingError.self) {
            try JSONTesting.decode(Part.self, #"{"kind": "file", "file": {"name": "a.png", "mimeType": "image/png", "bytes": "AA=="}}"#)
        }
    }

    @Test("proto names (media_type) are accepted")
    func protoNames() throws {
        let part = try JSONTesting.decode(Part.self, #"{"url": "https://x", "media_type": "image/png"}"#)
        #expect(part.mediaType == "image/png")
    }

    @Test("the text and data factories build the matching parts")
    func factories() {
        #expect(Part.text("a", metadata: ["k": 1]) == Part(.text("a"), metadata: ["k": 1]))
        #expect(Part.data(["k": 1]) == Part(.data(["k": 1])))
        #expect(Part.data(["k": 1]).text == nil)
    }
}

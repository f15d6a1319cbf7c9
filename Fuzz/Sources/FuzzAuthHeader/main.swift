//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// libFuzzer target: the credential of a request (`APITokenText.presented`, from the
// `Authorization` and `X-API-Key` headers) and the token parser (`APITokenText(_:)`).
//
// Input: the `Authorization` value, a newline, the `X-API-Key` value; a header is absent when
// its part is missing, so an input without a newline has no `X-API-Key`, and one starting with
// a newline no `Authorization`.
//
// Invariants:
// - a parsed token renders to the very text it was parsed from, and has the lengths and
//   alphabets of the format (`ca_` + 16 base32 + `_` + 43 base64url);
// - text of any other length never parses;
// - `presented` finds a credential whenever a header is present, and takes it from that header;
// - a generated token parses back to itself.

import CleverAgentsDomain
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let authorization: String?
    let apiKey: String?
    if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
        authorization = newline == 0 ? nil : String(decoding: bytes[..<newline], as: UTF8.self)
        apiKey = String(decoding: bytes[(newline + 1)...], as: UTF8.self)
    } else {
        authorization = String(decoding: bytes, as: UTF8.self)
        apiKey = nil
    }

    let presented = APITokenText.presented(authorization: authorization, apiKey: apiKey)
    if let authorization {
        guard let presented else { fail("no credential in Authorization: \(authorization)") }
        check(contains(authorization, presented), "credential \(presented) is not from Authorization: \(authorization)")
    } else if let apiKey {
        guard let presented else { fail("no credential in X-API-Key: \(apiKey)") }
        check(contains(apiKey, presented), "credential \(presented) is not from X-API-Key: \(apiKey)")
    } else {
        check(presented == nil, "a credential without headers: \(presented ?? "")")
    }

    for text in [presented, authorization, apiKey, String(decoding: bytes, as: UTF8.self)] {
        if let text { checkParse(text) }
    }

    // A generated token, from random bits seeded by the input, parses back to itself.
    var generator = SplitMix64(seed: bytes.reduce(UInt64(size)) { $0 &* 31 &+ UInt64($1) })
    let token = APITokenText.generate(using: &generator)
    check(APITokenText(token.text) == token, "generated token \(token.text) does not parse back")
    checkParse(token.text)
    return 0
}

let expectedLength = APITokenText.prefix.utf8.count + APITokenText.idLength + 1 + APITokenText.secretLength

func checkParse(_ text: String) {
    guard let token = APITokenText(text) else { return }
    check(token.text == text, "parsed \(text) renders as \(token.text)")
    check(Array(token.text.utf8) == Array(text.utf8), "parsed \(text) renders to other bytes")
    check(text.utf8.count == expectedLength, "accepted \(text) of \(text.utf8.count) bytes")
    check(token.id.utf8.count == APITokenText.idLength, "id \(token.id) of the wrong length")
    check(token.secret.utf8.count == APITokenText.secretLength, "secret \(token.secret) of the wrong length")
    check(token.id.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x32...0x37).contains($0) }, "id \(token.id) is not base32")
    check(
        token.secret.utf8.allSatisfy {
            (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F
        },
        "secret \(token.secret) is not base64url"
    )
}

/// Whether the UTF-8 of `part` occurs in that of `whole` (the credential is a slice of its header).
func contains(_ whole: String, _ part: String) -> Bool {
    let whole = Array(whole.utf8)
    let part = Array(part.utf8)
    guard !part.isEmpty else { return true }
    guard part.count <= whole.count else { return false }
    return (0...(whole.count - part.count)).contains { whole[$0..<($0 + part.count)].elementsEqual(part) }
}

/// A small seeded generator, so that a crashing input reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: Findings

/// Reports a broken invariant and aborts, so that libFuzzer keeps the input. (`precondition`
/// drops its message in an optimized build.)
func fail(_ message: @autoclosure () -> String) -> Never {
    FileHandle.standardError.write(Data("broken invariant: \(message())\n".utf8))
    abort()
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

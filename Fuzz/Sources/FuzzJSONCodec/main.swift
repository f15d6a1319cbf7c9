//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// libFuzzer target: the specialised JSON codec against Foundation's.
//
// Invariants, beyond "no crash, no sanitizer report":
// - `JSONValue(parsing:)` accepts only texts `JSONDecoder` accepts as a `JSONValue`, and reads
//   the same value from them. It may refuse a text Foundation accepts in one case only: Foundation
//   keeps the first value of a repeated key and never checks the later ones, this parser checks
//   them (so the invariant is checked one way). And it accepts zeros with an exponent (`0e5`,
//   `-0.0e-2`) that `JSONDecoder` refuses although they are valid JSON: there the text must be one
//   that `JSONSerialization` accepts;
// - `A2AJSONWriter` writes what `JSONEncoder` writes for that value (compared as parsed values),
//   and its output parses back to the value;
// - an A2A stream event that Foundation decodes from the text is written the same by both.

import A2AProtocol
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Both parsers recurse; stay well inside the stack of an ASan build.
    guard size <= 64 * 1024 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let body = Data(bytes)
    let foundation = try? JSONDecoder().decode(JSONValue.self, from: body)
    let ours = try? JSONValue(parsing: bytes)
    if let ours {
        if let foundation {
            check(ours == foundation, "the parser read \(ours), Foundation \(foundation)")
        } else {
            check(
                (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil,
                "the parser read \(ours) from a text that neither JSONDecoder nor JSONSerialization accepts"
            )
        }
    }
    guard let value = foundation else { return 0 }

    if let written = try? A2AJSONWriter.encode(value) {
        check((try? JSONValue(parsing: written)) == value, "the writer's output does not read back as its value")
        if let encoded = try? JSONEncoder().encode(value) {
            check((try? JSONValue(parsing: encoded)) == value, "Foundation's output does not read back as its value")
        }
    }
    if let event = try? JSONDecoder().decode(StreamResponse.self, from: body) {
        let written = try? A2AJSONWriter.encode(event)
        let encoded = try? A2AJSON.makeEncoder().encode(event)
        check(
            written.flatMap { try? JSONValue(parsing: $0) } == encoded.flatMap { try? JSONValue(parsing: $0) },
            "the writer and Foundation write different JSON for an event"
        )
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fputs("invariant broken: \(message())\n", stderr)
        abort()
    }
}

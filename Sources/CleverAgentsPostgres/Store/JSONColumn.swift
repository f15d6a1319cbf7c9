//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import NIOCore
import PostgresNIO

/// A Codable value stored in a `jsonb` column (PostgresNIO writes JSON straight into the buffer).
struct JSONColumn<Value: Codable & Sendable>: Codable, Sendable, PostgresCodable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        self.value = try decoder.singleValueContainer().decode(Value.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// The A2A types (tasks' status, history and artifacts, metadata) skip `JSONEncoder`:
    /// ``A2AJSONWriter`` writes the same JSON several times faster.
    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        byteBuffer.writeInteger(Self.jsonbVersion)
        if let writable = value as? any A2AJSONWritable {
            byteBuffer.writeBytes(try A2AJSONWriter.encode(writable))
        } else {
            try context.jsonEncoder.encode(self, into: &byteBuffer)
        }
    }

    /// The first byte of a `jsonb` value in binary format.
    private static var jsonbVersion: UInt8 { 1 }
}

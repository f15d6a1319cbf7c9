//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import Foundation

/// Where the runtime reads the time from; tests substitute a fixed clock.
public struct A2ATimestampSource: Sendable {
    private let read: @Sendable () -> A2ATimestamp

    public init(_ read: @escaping @Sendable () -> A2ATimestamp) {
        self.read = read
    }

    /// The system clock.
    public static let system = A2ATimestampSource { A2ATimestamp(millisecondsSinceEpoch: nowMilliseconds()) }

    public func now() -> A2ATimestamp { read() }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

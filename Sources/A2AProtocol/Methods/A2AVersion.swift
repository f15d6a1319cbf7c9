//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A2A protocol versions (`Major.Minor`, as negotiated with the `A2A-Version` header).
public enum A2AVersion: String, Sendable, Hashable, CaseIterable {
    case v0_3 = "0.3"
    case v1_0 = "1.0"

    /// The HTTP header that carries the version.
    public static let headerName = "A2A-Version"

    /// Parses a header value: `1.0`, `1.0.1` and `1` all mean 1.0; only Major.Minor counts.
    public init?(headerValue: String) {
        let components = headerValue.filter { $0 != " " && $0 != "\t" }.split(separator: ".", omittingEmptySubsequences: false)
        guard let major = components.first.flatMap({ Int($0) }) else { return nil }
        let minor = components.count > 1 ? Int(components[1]) : 0
        guard let minor else { return nil }
        switch (major, minor) {
        case (1, 0): self = .v1_0
        case (0, 3): self = .v0_3
        default: return nil
        }
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// The families of JSON-RPC methods the server serves, told apart by the method's name (and the
/// A2A version the request asked for) before any params are decoded, so that each request is
/// decoded once, as its family's call.
///
/// Every front end picks the family here: A2A 1.0's PascalCase names, A2A 0.3's slash names
/// (`message/send`), `_cleveragents/admin/…` and `_cleveragents/sync/…`. A name no family has
/// goes to A2A 1.0, whose decoder answers "method not found".
public enum JSONRPCMethodFamily: Sendable, Hashable {
    /// A2A 1.0 (`SendMessage`), and any name no other family has.
    case a2a
    /// A2A 0.3 (`message/send`).
    case a2a03
    /// The administration extension (`_cleveragents/admin/…`).
    case admin
    /// The sync extension (`_cleveragents/sync/…`).
    case sync

    /// The A2A version a request asked for (`A2A-Version`).
    public enum AskedVersion: Sendable, Hashable {
        /// None: a slash name that is not an extension's is read as A2A 0.3's.
        case none
        /// 0.3: every name is read as A2A 0.3's.
        case v0_3
        /// Another (1.0, or one the server does not support): slash names are not 0.3's.
        case other
    }

    /// The family of `method`.
    ///
    /// - Parameters:
    ///   - method: the request's `method`; `nil` when it has none or the body is not a JSON
    ///     object (A2A 1.0's decoder then words the error).
    ///   - version: the A2A version the request asked for.
    public init(method: String?, askedFor version: AskedVersion) {
        if version == .v0_3 {
            self = .a2a03
            return
        }
        guard let method else {
            self = .a2a
            return
        }
        if method.hasPrefix(AdminCall.prefix) {
            self = .admin
        } else if method.hasPrefix(SyncMethod.extensionPrefix) {
            self = .sync
        } else if version == .none, method.utf8.contains(UInt8(ascii: "/")) {
            self = .a2a03
        } else {
            self = .a2a
        }
    }

    /// The `method` of a JSON-RPC request envelope, when it has a string one.
    public static func method(of envelope: JSONValue?) -> String? {
        envelope?["method"]?.stringValue
    }
}

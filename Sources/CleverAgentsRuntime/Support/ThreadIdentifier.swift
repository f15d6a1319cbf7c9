//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

/// Derives the LangGraph thread of an A2A context.
///
/// One thread per context, per namespace and per owner: a UUID (version 5) of those three, so
/// two tenants, or two users of one tenant, who pick the same `contextId` never share a thread,
/// and no lookup table is needed to find it again.
public enum ThreadIdentifier {
    /// The UUID namespace of CleverAgents thread ids (a fixed random UUID).
    private static let uuidNamespace: [UInt8] = [
        0x5b, 0x0e, 0x2c, 0x51, 0x7a, 0x43, 0x4f, 0x0d, 0x9a, 0x61, 0x3e, 0x8c, 0x22, 0x77, 0x14, 0xc9,
    ]

    public static func thread(namespace: String, owner: String, contextId: String) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: uuidNamespace)
        // Length-prefix each field so that ("a/b", "c") and ("a", "b/c") differ.
        for field in [namespace, owner, contextId] {
            let bytes = Array(field.utf8)
            hasher.update(data: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            hasher.update(data: bytes)
        }
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return formatUUID(bytes)
    }
}

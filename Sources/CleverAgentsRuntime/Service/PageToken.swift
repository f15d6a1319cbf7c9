//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// Opaque `ListTasks` page tokens: the position after the page's last task.
///
/// The token is base64url of `<status timestamp ms>:<task id>`; it names no namespace and grants
/// nothing, because every query is scoped by the caller's namespace and visibility anyway.
enum PageToken {
    static func encode(_ cursor: TaskCursor) -> String {
        let raw = "\(cursor.statusTimestamp.millisecondsSinceEpoch):\(cursor.id)"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String) -> TaskCursor? {
        guard token.utf8.count <= 256 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let raw = String(data: data, encoding: .utf8),
            let colon = raw.firstIndex(of: ":"), let millis = Int64(raw[..<colon])
        else { return nil }
        let id = String(raw[raw.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        return TaskCursor(statusTimestamp: .init(millisecondsSinceEpoch: millis), id: id)
    }
}

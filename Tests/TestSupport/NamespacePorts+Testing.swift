//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsRuntime

extension NamespacePorts {
    /// Ports over in-memory stores: empty ones unless given.
    public static func inMemory(_ namespaces: InMemoryStore = InMemoryStore(), identities: InMemoryIdentityStore = InMemoryIdentityStore()) -> NamespacePorts {
        NamespacePorts(namespaces: namespaces, identities: identities)
    }
}

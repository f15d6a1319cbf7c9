//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Benchmark
import CleverAgentsDomain
import CleverAgentsRuntime

/// Reaching a namespace as `POST /ns/{namespace}` does before it handles a call: take the actor
/// from the directory, read the cached settings on it, and take a rate-limit token on it.
func dispatchBenchmarks() {
    let name = NamespaceName("bench")!

    Benchmark(
        "Dispatch/directory lookup + 2 actor hops (warm)",
        configuration: .init(scalingFactor: .kilo),
        closure: { benchmark, state in
            let (directory, store) = state
            for _ in benchmark.scaledIterations {
                let actor = directory.actor(for: name)
                let snapshot = try? await actor.snapshot { try await NamespaceSnapshot.loading(name, from: store) }
                blackHole(snapshot)
                blackHole(await actor.admit(tokenID: "tok-1"))
            }
        },
        setup: { () async throws -> (NamespaceDirectory, InMemoryStore) in
            let store = InMemoryStore()
            try await store.createNamespace(Namespace(name: name, createdAt: .now))
            let directory = NamespaceDirectory()
            // Activate once, so the loop measures the warm path.
            _ = try await directory.actor(for: name).snapshot { try await NamespaceSnapshot.loading(name, from: store) }
            return (directory, store)
        }
    )

    // The mutex-guarded lookup alone.
    let directory = NamespaceDirectory()
    _ = directory.actor(for: name)
    Benchmark("Dispatch/directory lookup only", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(directory.actor(for: name))
        }
    }

    // A cold activation: a new actor and its first settings load from the store.
    Benchmark(
        "Dispatch/activate namespace (cold)",
        closure: { benchmark, store in
            for _ in benchmark.scaledIterations {
                let directory = NamespaceDirectory()
                let actor = directory.actor(for: name)
                blackHole(try? await actor.snapshot { try await NamespaceSnapshot.loading(name, from: store) })
            }
        },
        setup: { () async throws -> InMemoryStore in
            let store = InMemoryStore()
            try await store.createNamespace(Namespace(name: name, createdAt: .now))
            return store
        }
    )
}

extension NamespaceSnapshot {
    /// What the runtime's internal `NamespaceSnapshot.load` hands the actor to load the settings.
    static func loading(_ name: NamespaceName, from store: InMemoryStore) async throws -> NamespaceSnapshot? {
        guard let namespace = try await store.namespace(named: name) else { return nil }
        return NamespaceSnapshot(namespace: namespace, actors: try await store.actors(in: name))
    }
}

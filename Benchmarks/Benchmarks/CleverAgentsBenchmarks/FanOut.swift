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

/// One task event to N local subscribers through the bus `SendStreamingMessage` and
/// `SubscribeToTask` streams read from (`LocalTaskEventBus` → `NamespaceActor.publish`).
///
/// The subscribers' streams buffer (newest 256) and nobody awaits them, so this is the
/// publisher's cost: the hop onto the namespace actor and one `yield` per subscriber.
func fanOutBenchmarks() {
    let name = NamespaceName("bench")!
    let taskId = "task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d"
    let event = TaskEventRecord(namespace: name, taskId: taskId, sequence: 7, event: Payloads.decoded(StreamResponse.self, Payloads.statusUpdate))

    for subscriberCount in [1, 100, 1000] {
        Benchmark(
            "FanOut/publish 1 event to \(subscriberCount) subscribers",
            configuration: .init(scalingFactor: subscriberCount == 1 ? .kilo : .one),
            closure: { benchmark, state in
                let (bus, _) = state
                for _ in benchmark.scaledIterations {
                    await bus.publish([event])
                }
            },
            setup: { () async -> (LocalTaskEventBus, [TaskSubscription]) in
                let directory = NamespaceDirectory()
                let actor = directory.actor(for: name)
                var subscriptions: [TaskSubscription] = []
                for _ in 0..<subscriberCount {
                    subscriptions.append(await actor.subscribe(taskId: taskId))
                }
                return (LocalTaskEventBus(directory: directory), subscriptions)
            }
        )
    }
}

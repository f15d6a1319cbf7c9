//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import Logging

/// What the replicas tell each other through PostgreSQL `NOTIFY`, received on this replica's one
/// `LISTEN` connection: identity changes (drop cached credentials and settings), task events
/// (deliver them to this replica's subscribers), and released leases (claim queued work now).
struct ClusterNotifications: Sendable {
    let directory: NamespaceDirectory
    let store: PostgresStore
    let worker: TaskWorker
    let logger: Logger

    static var channels: [String] {
        [PostgresStore.identityChannel, PostgresStore.taskEventsChannel, PostgresStore.taskQueueChannel]
    }

    func handle(channel: String, payload: String) async {
        switch channel {
        case PostgresStore.identityChannel:
            let actors = payload == "*" ? directory.allActive : NamespaceName(payload).flatMap { directory.activeActor(for: $0) }.map { [$0] } ?? []
            for actor in actors {
                await actor.invalidateCredentials()
                await actor.invalidate()
            }
        case PostgresStore.taskEventsChannel:
            guard let notice = TaskEventNotice(payload: payload), notice.origin != store.instanceID,
                let actor = directory.activeActor(for: notice.task.namespace), await actor.hasSubscribers(taskId: notice.task.id)
            else { return }
            // The announced event; a subscriber that missed earlier ones reads them from the log.
            await deliver(notice.task, after: notice.sequence - 1, to: actor)
        case PostgresStore.taskQueueChannel:
            worker.wake()
        default:
            break
        }
    }

    /// After the listening connection was lost: notifications may have been missed. Caches are
    /// dropped, every subscribed task's latest event is delivered again (its subscribers read
    /// any gap from the log), and the queue is looked at.
    func catchUp() async {
        for actor in directory.allActive {
            await actor.invalidateCredentials()
            await actor.invalidate()
            for taskId in await actor.subscribedTaskIDs {
                let key = TaskKey(namespace: actor.name, id: taskId)
                guard let task = try? await store.task(namespace: actor.name, id: taskId) else { continue }
                await deliver(key, after: task.lastEventSequence - 1, to: actor)
            }
        }
        worker.wake()
    }

    private func deliver(_ task: TaskKey, after sequence: Int64, to actor: NamespaceActor) async {
        do {
            let events = try await store.events(namespace: task.namespace, taskId: task.id, afterSequence: sequence)
            await actor.publish(events)
        } catch {
            logger.warning("Cannot read announced task events", metadata: ["task": "\(task)", "error": "\(error)"])
        }
    }
}

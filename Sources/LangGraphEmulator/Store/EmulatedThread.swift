//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// One thread: the graph state that its runs share, and what it waits for.
struct EmulatedThread: Sendable {
    /// A question a node asked with `interrupt()`, waiting for `command.resume`.
    struct PendingInterrupt: Sendable, Hashable {
        var node: String
        var id: String
        var value: JSONValue
        /// The id of the interrupted task (a node run), as `GET /threads/{tid}` keys interrupts.
        var taskID: String
    }

    let id: String
    let createdAt: Date
    var updatedAt: Date
    var metadata: JSONObject
    /// `idle`, `busy`, `interrupted` or `error`.
    var status = "idle"
    var values: JSONObject = [:]
    var graphID: String?
    var pending: [PendingInterrupt] = []
    /// Updates of nodes that finished in a superstep that still waits on other interrupts; the
    /// next run replays them (`__metadata__.cached`) instead of running the nodes again.
    var cachedWrites: [String: JSONObject] = [:]
    var error: JSONValue?
    /// Run ids, oldest first.
    var runIDs: [String] = []
    /// The last run's execution: a new run waits for it (multitask strategy `enqueue`).
    var tail: Task<Void, Never>?
    /// The run that executes now, if any.
    var activeRunID: String?

    init(id: String, metadata: JSONObject, now: Date = Date()) {
        self.id = id
        self.createdAt = now
        self.updatedAt = now
        self.metadata = metadata
    }

    /// `GET /threads/{tid}`.
    var json: JSONValue {
        var interrupts: JSONObject = [:]
        for interrupt in pending {
            let entry: JSONValue = ["id": .string(interrupt.id), "value": interrupt.value]
            interrupts[interrupt.taskID] = .array((interrupts[interrupt.taskID]?.arrayValue ?? []) + [entry])
        }
        return [
            "thread_id": .string(id),
            "status": .string(status),
            "metadata": .object(metadata),
            "config": ["configurable": [:]],
            "created_at": .string(Identifiers.timestamp(createdAt)),
            "updated_at": .string(Identifiers.timestamp(updatedAt)),
            "state_updated_at": .string(Identifiers.timestamp(updatedAt)),
            "values": .object(values),
            "interrupts": .object(interrupts),
            "error": error ?? .null,
        ]
    }

    /// `GET /threads/{tid}/state`.
    var stateJSON: JSONValue {
        let interrupts: [JSONValue] = pending.map { ["id": .string($0.id), "value": $0.value] }
        let tasks: [JSONValue] = pending.map { interrupt in
            [
                "id": .string(interrupt.taskID),
                "name": .string(interrupt.node),
                "path": ["__pregel_pull", .string(interrupt.node)],
                "error": .null,
                "interrupts": [["id": .string(interrupt.id), "value": interrupt.value]],
                "checkpoint": .null,
                "state": .null,
                "result": .null,
            ]
        }
        return [
            "values": .object(values),
            "next": .array(pending.map { .string($0.node) }),
            "tasks": .array(tasks),
            "metadata": ["graph_id": graphID.map { .string($0) } ?? .null],
            "created_at": .string(Identifiers.timestamp(updatedAt)),
            "checkpoint": ["checkpoint_id": .string(Identifiers.uuid4()), "thread_id": .string(id), "checkpoint_ns": ""],
            "parent_checkpoint": .null,
            "interrupts": .array(interrupts),
        ]
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsEgress
import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
public import Logging
import NIOCore

/// Runs tasks on LangGraph deployments over the LangGraph server HTTP API, as LangGraph's
/// `RemoteGraph` does: a streamed, resumable run on the context's thread, re-joined with
/// `Last-Event-ID` when the stream breaks.
///
/// All executors of a process share one ``EgressHTTPClient``: every graph URL passes the egress
/// policy, and connects to an address that was checked. Its connect and read timeouts are the
/// client's; the run's time limit (the actor's, else the configuration's) is the deadline of
/// every call of the run.
public struct LangGraphExecutor: GraphExecutor {
    public let http: EgressHTTPClient
    public let ids: any IdentifierGenerator
    public let configuration: LangGraphConfiguration
    public let logger: Logger

    public init(http: EgressHTTPClient, ids: any IdentifierGenerator, configuration: LangGraphConfiguration = .init(), logger: Logger) {
        self.http = http
        self.ids = ids
        self.configuration = configuration
        self.logger = logger
    }

    public func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
        // The run reads no further from the graph server while more than an event's worth of
        // its mapped events wait for the consumer: a graph server cannot fill memory faster
        // than the task's events are stored.
        let events = EventBatchBuffer<ExecutionEvent>(maximumPendingBytes: configuration.maximumEventBytes, size: { $0.contentBytes })
        let task = Task {
            do {
                try await run(request, emit: { events.append($0) }, pace: { await events.waitForRoom() })
                events.finish()
            } catch {
                events.finish(throwing: error)
            }
        }
        return events.elements(onTermination: { task.cancel() })
    }

    public func cancel(_ run: GraphRunReference) async throws {
        let client = LangGraphClient(http: http, graphURL: run.actor.graphURL, apiKey: run.apiKey, traceParent: nil, configuration: configuration, logger: logger)
        do {
            try await client.cancel(thread: run.threadID, run: run.runID)
        } catch is LangGraphClient.DeadlinePassed {
            throw GraphExecutionError("LangGraph did not answer the cancel request in time")
        }
    }

    /// The time limit of a run of `actor`.
    func runTimeout(for actor: ActorDefinition) -> Duration {
        actor.runTimeoutSeconds.map { .seconds($0) } ?? configuration.runTimeout
    }

    static func base(_ url: String) -> String {
        LangGraphClient.base(url)
    }
}

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
        let (stream, continuation) = AsyncThrowingStream<ExecutionEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await run(request) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
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

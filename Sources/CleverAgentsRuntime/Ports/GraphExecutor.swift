//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Runs a task on a remote graph and reports what happens as ``ExecutionEvent``s.
public protocol GraphExecutor: Sendable {
    /// Starts (or re-joins) a run and streams its events. The stream ends when the run ends;
    /// it throws only for failures that left no run result (the caller then fails the task).
    func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error>

    /// Asks the graph server to stop a run. Returns when the request was accepted; the run's
    /// stream then ends with a canceled status.
    func cancel(_ run: GraphRunReference) async throws
}

/// Everything an executor needs to run one task turn.
public struct GraphRunRequest: Sendable {
    /// What the run does with the thread.
    public enum Input: Sendable, Hashable {
        /// Start a run with a user message.
        case message(Message)
        /// Answer pending interrupts (`command.resume`), with the user message that answers them.
        case resume(Message, interruptIDs: [String])
    }

    public var namespace: NamespaceName
    public var taskId: String
    public var contextId: String
    public var actor: ActorDefinition
    /// The actor's `x-api-key`, unsealed for this call only.
    public var apiKey: String?
    public var threadID: String
    public var input: Input
    /// Re-join this run instead of starting one (after a takeover).
    public var existingRunID: String?
    /// W3C `traceparent` to propagate, when tracing is on.
    public var traceParent: String?

    public init(
        namespace: NamespaceName,
        taskId: String,
        contextId: String,
        actor: ActorDefinition,
        apiKey: String?,
        threadID: String,
        input: Input,
        existingRunID: String? = nil,
        traceParent: String? = nil
    ) {
        self.namespace = namespace
        self.taskId = taskId
        self.contextId = contextId
        self.actor = actor
        self.apiKey = apiKey
        self.threadID = threadID
        self.input = input
        self.existingRunID = existingRunID
        self.traceParent = traceParent
    }
}

/// Identifies a run on a graph server.
public struct GraphRunReference: Sendable, Hashable {
    public var actor: ActorDefinition
    public var apiKey: String?
    public var threadID: String
    public var runID: String

    public init(actor: ActorDefinition, apiKey: String?, threadID: String, runID: String) {
        self.actor = actor
        self.apiKey = apiKey
        self.threadID = threadID
        self.runID = runID
    }
}

/// What an executor reports while a run goes on.
public enum ExecutionEvent: Sendable, Hashable {
    /// The graph server accepted the run.
    case runStarted(runID: String)
    /// The task changes.
    case update(TaskUpdate)
    /// The graph answered with a message instead of task output; the run is over.
    case reply(Message)
}

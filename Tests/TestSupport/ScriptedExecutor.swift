//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Synchronization

/// A `GraphExecutor` that plays a script per run: an in-memory stand-in of our own port for
/// unit tests of the runtime (the LangGraph adapter has its own contract tests).
public final class ScriptedExecutor: GraphExecutor, Sendable {
    /// One step of a run.
    public enum Step: Sendable {
        case event(ExecutionEvent)
        /// Waits until the test opens the named gate.
        case wait(String)
        case fail(String)
    }

    private struct State {
        var scripts: [[Step]] = []
        var defaultScript: [Step]
        var requests: [GraphRunRequest] = []
        var cancellations: [GraphRunReference] = []
        var gates: [String: AsyncStream<Void>.Continuation] = [:]
        var gateStreams: [String: AsyncStream<Void>] = [:]
        var opened: Set<String> = []
    }

    private let state: Mutex<State>

    /// - Parameter defaultScript: played when no queued script is left.
    public init(defaultScript: [Step] = ScriptedExecutor.completes(with: "done")) {
        self.state = Mutex(State(defaultScript: defaultScript))
    }

    /// A run that starts, answers with one text artifact, and completes.
    public static func completes(with text: String, runID: String = "run-1") -> [Step] {
        [
            .event(.runStarted(runID: runID)),
            .event(.update(.status(.working, message: nil))),
            .event(.update(.artifact(Artifact(artifactId: "response", name: "response", parts: [.text(text)]), append: false, lastChunk: true))),
            .event(.update(.status(.completed, message: nil))),
        ]
    }

    /// Queues the script of the next run.
    public func enqueue(_ script: [Step]) {
        state.withLock { $0.scripts.append(script) }
    }

    /// Lets runs waiting on `gate` continue.
    public func open(_ gate: String) {
        state.withLock { state in
            state.opened.insert(gate)
            state.gates[gate]?.yield()
            state.gates[gate]?.finish()
        }
    }

    /// The runs requested so far.
    public var requests: [GraphRunRequest] { state.withLock { $0.requests } }

    /// The cancellations requested so far.
    public var cancellations: [GraphRunReference] { state.withLock { $0.cancellations } }

    public func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
        let script = state.withLock { state -> [Step] in
            state.requests.append(request)
            return state.scripts.isEmpty ? state.defaultScript : state.scripts.removeFirst()
        }
        let (stream, continuation) = AsyncThrowingStream<ExecutionEvent, any Error>.makeStream()
        let task = Task {
            for step in script {
                switch step {
                case .event(let event):
                    continuation.yield(event)
                case .wait(let gate):
                    await self.waitForGate(gate)
                case .fail(let message):
                    continuation.finish(throwing: GraphExecutionError(message))
                    return
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func cancel(_ run: GraphRunReference) async throws {
        state.withLock { $0.cancellations.append(run) }
    }

    private func waitForGate(_ gate: String) async {
        let stream = state.withLock { state -> AsyncStream<Void>? in
            if state.opened.contains(gate) { return nil }
            if let existing = state.gateStreams[gate] { return existing }
            let (stream, continuation) = AsyncStream<Void>.makeStream()
            state.gateStreams[gate] = stream
            state.gates[gate] = continuation
            return stream
        }
        guard let stream else { return }
        for await _ in stream { break }
    }
}

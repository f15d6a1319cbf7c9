//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncAlgorithms
public import ServiceLifecycle
import Synchronization

/// Runs task jobs in the background, as a Service: on graceful shutdown it takes no new jobs
/// and lets the running ones end (or be cancelled when the shutdown deadline passes).
public final class TaskWorker: Service, Sendable {
    private let runner: TaskRunner
    private let jobs: AsyncStream<TaskJob>
    private let continuation: AsyncStream<TaskJob>.Continuation
    private let accepting = Mutex(true)

    public init(runner: TaskRunner) {
        self.runner = runner
        (self.jobs, self.continuation) = AsyncStream<TaskJob>.makeStream()
    }

    /// Queues a job. Returns `false` when the worker is shutting down.
    @discardableResult
    public func submit(_ job: TaskJob) -> Bool {
        accepting.withLock { accepting in
            guard accepting else { return false }
            // Counted before the yield, so the consumer never takes the gauge below zero.
            runner.metrics.recordTaskQueued(true)
            if case .enqueued = continuation.yield(job) { return true }
            runner.metrics.recordTaskQueued(false)
            return false
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    runner.metrics.recordTaskQueued(false)
                    group.addTask { await self.runner.run(job) }
                }
            }
        } onGracefulShutdown: {
            self.accepting.withLock { accepting in
                accepting = false
                self.continuation.finish()
            }
        }
    }
}

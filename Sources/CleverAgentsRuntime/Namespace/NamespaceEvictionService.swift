//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import ServiceLifecycle

/// Keeps a replica's memory bounded by the namespaces in use: every `interval`, the namespaces
/// idle for `idleTime` are deactivated (``NamespaceDirectory/evictIdle(olderThan:)``).
public struct NamespaceEvictionService: Service {
    public let directory: NamespaceDirectory
    public let idleTime: Duration
    public let interval: Duration

    public init(directory: NamespaceDirectory, idleTime: Duration = .seconds(300), interval: Duration = .seconds(30)) {
        self.directory = directory
        self.idleTime = idleTime
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await directory.evictIdle(olderThan: idleTime)
            }
        }
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Dispatch
import Foundation
import Synchronization

/// Runs a program to completion without blocking Swift's cooperative threads: the blocking waits
/// happen on a Dispatch queue.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments`; `environment` is added to the current environment.
    /// `input`, when given, is its standard input (then closed).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: URL? = nil,
        input: String? = nil
    ) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
                if let currentDirectory { process.currentDirectoryURL = currentDirectory }
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                let stdin = input.map { _ in Pipe() }
                if let stdin { process.standardInput = stdin }
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                if let stdin, let input {
                    stdin.fileHandleForWriting.write(Data(input.utf8))
                    try? stdin.fileHandleForWriting.close()
                }
                // Drain stderr concurrently so a chatty child cannot fill its pipe and stall.
                let errData = DispatchGroup()
                let stderrBox = Mutex(Data())
                errData.enter()
                DispatchQueue.global().async {
                    let data = err.fileHandleForReading.readDataToEndOfFile()
                    stderrBox.withLock { $0 = data }
                    errData.leave()
                }
                let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
                errData.wait()
                let stderrData = stderrBox.withLock { $0 }
                process.waitUntilExit()
                continuation.resume(
                    returning: Output(
                        status: process.terminationStatus,
                        stdout: String(decoding: stdoutData, as: UTF8.self),
                        stderr: String(decoding: stderrData, as: UTF8.self)
                    )
                )
            }
        }
    }

    /// Waits for a started process to exit and returns its status, off the cooperative threads.
    public static func wait(for process: Process) async throws -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// The `cleveragents` executable built with the tests.
    public static var cleveragents: String {
        TestEnvironment.productsDirectory.appendingPathComponent("cleveragents").path
    }
}

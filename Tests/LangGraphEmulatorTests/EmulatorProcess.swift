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
import Testing

/// A `langgraph-emulator` child process (this target has no CleverAgentsTestSupport). Its
/// output is collected as it comes, on Dispatch threads, so that a test can wait for its first
/// line while it keeps serving; every wait is bounded.
///
/// `@unchecked Sendable`: `Process` is only started here, then read (`isRunning`,
/// `terminationStatus`) or signaled, which it allows from any thread.
final class EmulatorProcess: @unchecked Sendable {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable, built next to the test bundle.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("langgraph-emulator").path
    }

    let process = Process()
    private let out = Mutex(Data())
    private let err = Mutex(Data())
    private let drained = DispatchGroup()

    /// Starts `langgraph-emulator` with `arguments`; `environment` is added to the inherited one
    /// (which keeps LLVM_PROFILE_FILE, so that the child's coverage is counted).
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        drain(stdout.fileHandleForReading, isError: false)
        drain(stderr.fileHandleForReading, isError: true)
    }

    private func drain(_ handle: FileHandle, isError: Bool) {
        drained.enter()
        DispatchQueue.global().async { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                if isError {
                    err.withLock { $0.append(data) }
                } else {
                    out.withLock { $0.append(data) }
                }
            }
            drained.leave()
        }
    }

    var stdout: String { String(decoding: out.withLock { $0 }, as: UTF8.self) }
    var stderr: String { String(decoding: err.withLock { $0 }, as: UTF8.self) }

    /// The first line of standard output, once written (nil if none came within `timeout`).
    func firstLine(within timeout: Duration) async -> String? {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if let line = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first { return String(line) }
            if !process.isRunning, stdout.isEmpty { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits for the process to exit and its output to be read. If it is still running after
    /// `timeout`, it is killed and nil is returned: a test must not hang on it.
    func exit(within timeout: Duration) async -> Output? {
        let end = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let inTime = !process.isRunning
        if !inTime { kill(process.processIdentifier, SIGKILL) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [process, drained] in
                process.waitUntilExit()
                drained.wait()
                continuation.resume()
            }
        }
        return inTime ? Output(status: process.terminationStatus, stdout: stdout, stderr: stderr) : nil
    }

    /// Runs `langgraph-emulator` with `arguments` to completion (at most `timeout`).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(90)) async throws -> Output {
        let child = try EmulatorProcess(arguments, environment: environment)
        return try #require(await child.exit(within: timeout), "langgraph-emulator \(arguments.joined(separator: " ")) did not exit within \(timeout)")
    }
}

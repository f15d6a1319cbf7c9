//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the stdio server reads bytes from.
public protocol StdioInput: Sendable {
    /// The next bytes, or `nil` at the end of input. Returns `nil` at once when the task is cancelled.
    func next() async -> [UInt8]?
}

/// Where the stdio server writes messages to.
public protocol StdioOutput: Sendable {
    /// Writes one line (the newline is added). Lines are written whole and in call order.
    func writeLine(_ bytes: [UInt8]) async throws
}

/// Reads a file descriptor (standard input) with blocking `read(2)` on a Dispatch queue, so
/// Swift's cooperative threads never block; works for pipes, terminals and regular files alike.
public final class FileDescriptorInput: StdioInput {
    private struct State {
        var waiting: CheckedContinuation<[UInt8]?, Never>?
        var stash: [[UInt8]?] = []
        var reading = false
    }

    private let descriptor: Int32
    private let queue = DispatchQueue(label: "cleveragents.stdio.input")
    private let state = Mutex(State())
    private let chunkSize: Int

    public init(descriptor: Int32 = 0, chunkSize: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.chunkSize = chunkSize
    }

    public func next() async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                let startRead = state.withLock { state -> Bool in
                    if !state.stash.isEmpty {
                        continuation.resume(returning: state.stash.removeFirst())
                        return false
                    }
                    if Task.isCancelled {
                        continuation.resume(returning: nil)
                        return false
                    }
                    state.waiting = continuation
                    guard !state.reading else { return false }
                    state.reading = true
                    return true
                }
                if startRead { readOnce() }
            }
        } onCancel: {
            state.withLock { state in
                state.waiting?.resume(returning: nil)
                state.waiting = nil
            }
        }
    }

    private func readOnce() {
        queue.async { [self] in
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            var count: Int
            repeat {
                count = buffer.withUnsafeMutableBytes { read(self.descriptor, $0.baseAddress, self.chunkSize) }
            } while count < 0 && errno == EINTR
            let chunk: [UInt8]? = count > 0 ? Array(buffer[0..<count]) : nil
            self.state.withLock { state in
                state.reading = false
                if let waiting = state.waiting {
                    state.waiting = nil
                    waiting.resume(returning: chunk)
                } else {
                    // The reader was cancelled meanwhile; keep what was read for the next call.
                    state.stash.append(chunk)
                }
            }
        }
    }
}

/// Writes to a file descriptor (standard output) with blocking `write(2)` on a serial Dispatch
/// queue: one line at a time, in order, off the cooperative threads.
public final class FileDescriptorOutput: StdioOutput {
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "cleveragents.stdio.output")

    public init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
    }

    public func writeLine(_ bytes: [UInt8]) async throws {
        let line = bytes + [UInt8(ascii: "\n")]
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { [descriptor] in
                var offset = 0
                while offset < line.count {
                    let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, line.count - offset) }
                    if written < 0 {
                        if errno == EINTR { continue }
                        continuation.resume(throwing: StdioError.outputClosed(errno: errno))
                        return
                    }
                    offset += written
                }
                continuation.resume()
            }
        }
    }
}

/// Input in memory, for tests of the framing.
public final class MemoryStdioInput: StdioInput {
    private struct State {
        var chunks: [[UInt8]] = []
        var closed = false
        var waiting: CheckedContinuation<[UInt8]?, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Sends bytes to the server.
    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        let waiting = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            if let waiting = state.waiting {
                state.waiting = nil
                return waiting
            }
            state.chunks.append(bytes)
            return nil
        }
        waiting?.resume(returning: bytes)
    }

    /// Ends the input (EOF).
    public func close() {
        let waiting = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.closed = true
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(returning: nil)
    }

    public func next() async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                state.withLock { state in
                    if !state.chunks.isEmpty {
                        continuation.resume(returning: state.chunks.removeFirst())
                    } else if state.closed || Task.isCancelled {
                        continuation.resume(returning: nil)
                    } else {
                        state.waiting = continuation
                    }
                }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: nil)
        }
    }
}

/// Why the stdio server stopped writing.
public enum StdioError: Error, Sendable, Hashable {
    /// The reader of standard output went away.
    case outputClosed(errno: Int32)
}

/// Output collected in memory, for tests of the framing.
public final class MemoryStdioOutput: StdioOutput {
    private let lines = Mutex<[[UInt8]]>([])

    public init() {}

    public func writeLine(_ bytes: [UInt8]) async throws {
        lines.withLock { $0.append(bytes) }
    }

    /// Every line written so far, as text.
    public var written: [String] {
        lines.withLock { $0.map { String(decoding: $0, as: UTF8.self) } }
    }
}

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

/// Where log lines go: a file descriptor (standard error) through a writer of its own, or memory
/// (tests).
///
/// Handling a request must not wait for whoever reads the server's standard error (a container
/// runtime, a pipe): a line is appended to a bounded buffer, and a serial Dispatch queue (not the
/// cooperative pool, not an event loop) writes what has gathered in the next 10 ms with one
/// `write(2)`, so that under load many lines share a write and a wake-up. When the buffer is full because the reader is stuck, lines are
/// dropped and counted, and the count is written once there is room again. An urgent line (an
/// error) is written before `write` returns, after everything logged before it, so a crash that
/// follows loses nothing that was logged; so is everything pending when the process exits.
final class OutputSink: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
        var scheduled = false
    }

    private let descriptor: Int32?
    private let capacity: Int
    private let droppedNotice: @Sendable (Int) -> String
    private let pending = Mutex(Pending())
    private let lines = Mutex<[String]>([])
    private let writer = DispatchQueue(label: "cleveragents.log-writer")
    /// How long lines gather before they are written together.
    static let gatherDelay = DispatchTimeInterval.milliseconds(10)

    /// Standard error, for text lines.
    static let standardError = OutputSink(descriptor: 2) { dropped in
        "\(JSONLogHandler.timestamp()) warning cleveragents: \(dropped) log lines dropped (standard error did not keep up)\n"
    }

    /// Standard error, for JSON lines.
    static let standardErrorJSON = OutputSink(descriptor: 2) { dropped in
        "{\"ts\":\"\(JSONLogHandler.timestamp())\",\"level\":\"warning\",\"msg\":\"log lines dropped (standard error did not keep up)\",\"logger\":\"cleveragents\",\"dropped\":\(dropped)}\n"
    }

    /// Lines kept in memory (``captured``), for tests.
    static func memory() -> OutputSink { OutputSink(descriptor: nil, capacity: 0) { _ in "" } }

    /// - Parameters:
    ///   - descriptor: where lines are written; `nil` keeps them in memory.
    ///   - capacity: the bytes waiting to be written beyond which lines are dropped.
    ///   - droppedNotice: the line that reports how many lines were dropped.
    init(descriptor: Int32?, capacity: Int = 1 << 20, droppedNotice: @escaping @Sendable (Int) -> String) {
        self.descriptor = descriptor
        self.capacity = capacity
        self.droppedNotice = droppedNotice
        if descriptor != nil { _ = Self.drainAtExit }
    }

    /// Writes what the sinks on standard error still hold when the process exits.
    private static let drainAtExit: Void = {
        atexit {
            OutputSink.standardError.drain()
            OutputSink.standardErrorJSON.drain()
        }
    }()

    /// Queues `line` (a whole line, newline included); an `urgent` line is written before this returns.
    func write(_ line: String, urgent: Bool = false) {
        write(utf8: line.utf8, urgent: urgent)
    }

    /// Queues the UTF-8 bytes of a whole line, newline included.
    func write(utf8 line: some Collection<UInt8>, urgent: Bool = false) {
        guard descriptor != nil else {
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            return
        }
        if urgent {
            // After what is pending, in order, and never dropped.
            writer.sync {
                writePending()
                write(Array(line))
            }
            return
        }
        let schedule = pending.withLock { pending in
            guard pending.bytes.count + line.count <= capacity else {
                pending.dropped += 1
                return false
            }
            pending.bytes.append(contentsOf: line)
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        if schedule {
            // A moment later rather than at once: a wake-up of the writer per line would cost
            // more than the line (measured: a sixth of a GetTask's CPU at 5,000 requests/s).
            writer.asyncAfter(deadline: .now() + Self.gatherDelay) { self.writePending() }
        }
    }

    /// Waits until every line written so far has been handed to the descriptor.
    func drain() {
        guard descriptor != nil else { return }
        writer.sync { writePending() }
    }

    var captured: [String] { lines.withLock { $0 } }

    /// Writes what has gathered, until nothing is left (on the writer queue).
    private func writePending() {
        while true {
            let taken: (bytes: [UInt8], dropped: Int)? = pending.withLock { pending in
                guard !pending.bytes.isEmpty || pending.dropped > 0 else {
                    pending.scheduled = false
                    return nil
                }
                var bytes: [UInt8] = []
                swap(&bytes, &pending.bytes)
                defer { pending.dropped = 0 }
                return (bytes, pending.dropped)
            }
            guard let taken else { return }
            write(taken.bytes)
            // The lines were dropped after the ones just written.
            if taken.dropped > 0 { write(Array(droppedNotice(taken.dropped).utf8)) }
        }
    }

    /// One `write(2)` loop over `bytes` (on the writer queue); a descriptor that fails drops them.
    private func write(_ bytes: [UInt8]) {
        guard let descriptor else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                let written = Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

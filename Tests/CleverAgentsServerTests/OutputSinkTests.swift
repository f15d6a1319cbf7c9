//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsServer
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Log lines are written by a queue of their own: whole, in order, never blocking the caller on
/// a stuck reader, with what was dropped counted.
@Suite(.timeLimit(.minutes(1))) struct OutputSinkTests {
    /// A pipe: the sink writes to `input`; `read()` collects what arrives until `input` is closed.
    final class Pipe: Sendable {
        let input: Int32
        let output: Int32

        init() throws {
            var descriptors: [Int32] = [0, 0]
            guard pipe(&descriptors) == 0 else { throw POSIXError(.EMFILE) }
            (output, input) = (descriptors[0], descriptors[1])
        }

        /// Reads on a thread of its own until the write end is closed.
        func readAll() async -> String {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { [output] in
                    var data = [UInt8]()
                    var buffer = [UInt8](repeating: 0, count: 1 << 16)
                    while true {
                        let count = read(output, &buffer, buffer.count)
                        if count <= 0 { break }
                        data.append(contentsOf: buffer[0..<count])
                    }
                    close(output)
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                }
            }
        }
    }

    static func notice(_ dropped: Int) -> String { "dropped \(dropped)\n" }

    @Test func linesFromConcurrentWritersArriveWholeAndInOrder() async throws {
        let pipe = try Pipe()
        let sink = OutputSink(descriptor: pipe.input, droppedNotice: Self.notice)
        async let text = pipe.readAll()
        let writers = 8
        let perWriter = 2000
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for line in 0..<perWriter {
                        sink.write("writer \(writer) line \(line) \(String(repeating: "x", count: line % 50))\n")
                    }
                }
            }
        }
        sink.drain()
        close(pipe.input)
        let lines = await text.split(separator: "\n")
        #expect(lines.count == writers * perWriter)
        var next = [Int](repeating: 0, count: writers)
        for line in lines {
            let fields = line.split(separator: " ")
            let writer = Int(fields[1])!
            let number = Int(fields[3])!
            #expect(number == next[writer], "each writer's lines in order, none lost or doubled")
            #expect(fields.count == 4 || fields[4] == String(repeating: "x", count: number % 50), "whole lines")
            next[writer] = number + 1
        }
        #expect(next == [Int](repeating: perWriter, count: writers))
    }

    @Test func aStuckReaderNeverBlocksTheWriterAndDroppedLinesAreCounted() async throws {
        let pipe = try Pipe()
        // Nobody reads yet: the pipe fills (64 KiB), then the sink's buffer (4 KiB).
        let sink = OutputSink(descriptor: pipe.input, capacity: 4096, droppedNotice: Self.notice)
        let lines = 10_000
        let line = String(repeating: "y", count: 99) + "\n"
        for _ in 0..<lines {
            sink.write(line)  // would hang here (and hit the time limit) if a write waited for the reader
        }
        async let text = pipe.readAll()
        sink.drain()
        close(pipe.input)
        let received = await text.split(separator: "\n")
        let written = received.filter { $0.count == 99 }.count
        let notices = received.filter { $0.hasPrefix("dropped ") }
        #expect(written < lines, "the pipe and the buffer hold far less than a megabyte")
        #expect(notices.count >= 1)
        let dropped = notices.map { Int($0.dropFirst("dropped ".count))! }.reduce(0, +)
        #expect(written + dropped == lines, "every line is written or counted as dropped")
    }

    @Test func anUrgentLineIsWrittenBeforeTheCallReturnsAfterWhatCameBefore() async throws {
        let pipe = try Pipe()
        let sink = OutputSink(descriptor: pipe.input, droppedNotice: Self.notice)
        for index in 0..<100 { sink.write("info \(index)\n") }
        sink.write("error\n", urgent: true)
        // Without a drain: what the pipe holds now is what the urgent write waited for.
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(pipe.output, &buffer, buffer.count)
        let text = String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
        #expect(text == (0..<100).map { "info \($0)\n" }.joined() + "error\n")
        close(pipe.input)
        close(pipe.output)
    }

    @Test(arguments: [0, 951_782_400, 1_700_000_000, 1_798_761_599, 4_102_444_800])
    func timestampsAreRFC3339WithMilliseconds(seconds: Int) {
        for milliseconds in [0, 7, 999] {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, milliseconds
            )
            #expect(JSONLogHandler.timestamp(seconds: time_t(seconds), milliseconds: milliseconds) == expected)
        }
    }
}

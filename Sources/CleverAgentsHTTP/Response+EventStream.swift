//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncAlgorithms
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// An event stream that ends as soon as its client goes away, on a connection of its own.
    ///
    /// A stream waits for its task's next event, and Hummingbird notices a closed connection only
    /// when it writes: a client that disconnected from a quiet stream would keep its subscriber,
    /// and its slot under the stream caps, until the task's next event. Here the stream is
    /// written by a task of its own that is cancelled when the connection closes (which ends the
    /// subscription); its frames reach the connection through a channel without a buffer, so a
    /// slow reader still holds the writer back. The connection closes after the stream
    /// (`Connection: close`, and its input is shut), so that it registers one close callback at most.
    /// `firstFrame` is called as the stream's first frame goes to the connection.
    func endingWhenTheClientLeaves(_ connection: any Channel, firstFrame: @escaping @Sendable () -> Void = {}) -> Response {
        guard headers[.contentType] == "text/event-stream" else { return self }
        var response = self
        response.headers[.connection] = "close"
        let stream = body
        response.body = ResponseBody { writer in
            let frames = AsyncThrowingChannel<ByteBuffer, any Error>()
            let producer = Task {
                do {
                    try await stream.write(FrameRelay(frames: frames))
                    frames.finish()
                } catch {
                    frames.fail(error)
                }
            }
            connection.closeFuture.whenComplete { _ in producer.cancel() }
            defer {
                producer.cancel()
                connection.close(mode: .input, promise: nil)
            }
            var first = true
            for try await frame in frames {
                if first {
                    first = false
                    firstFrame()
                }
                try await writer.write(frame)
            }
            try await writer.finish(nil)
        }
        return response
    }
}

/// Hands a stream's frames to the connection's writer, one at a time.
private struct FrameRelay: ResponseBodyWriter {
    let frames: AsyncThrowingChannel<ByteBuffer, any Error>

    mutating func write(_ buffer: ByteBuffer) async throws {
        await frames.send(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

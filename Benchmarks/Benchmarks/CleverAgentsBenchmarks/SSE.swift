//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Benchmark
@_spi(Benchmarks) import CleverAgentsHTTP
import Foundation

/// Server-Sent Events: the server's framing of stream events and the client's parsing.
func sseBenchmarks() {
    let status = Payloads.decoded(StreamResponse.self, Payloads.statusUpdate)
    let artifact = Payloads.decoded(StreamResponse.self, Payloads.artifactUpdate)
    let id = JSONRPCID.string("req-3b1d2c4e-6f7a-4b8c-9d0e-1f2a3b4c5d6f")

    // The server's path: each event a JSON-RPC result on a data line, written by A2AJSONWriter.
    Benchmark("SSE/frame statusUpdate (server)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPCodecPath.frame(status, id: id))
        }
    }
    Benchmark("SSE/frame artifactUpdate (server)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPCodecPath.frame(artifact, id: id))
        }
    }

    // `ServerSentEvent.encoded`, given the JSON of the event (the encoding above is not repeated).
    let json = String(decoding: Payloads.encodedResult(status, id: id), as: UTF8.self)
    let event = ServerSentEvent(data: json, id: "42")
    Benchmark("SSE/ServerSentEvent.encoded statusUpdate") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(event.encoded)
        }
    }

    // The client's path: parse the bytes of one event, as they arrive in one chunk.
    let bytes = Array(event.encoded.utf8)
    Benchmark("SSE/ServerSentEventParser statusUpdate") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = ServerSentEventParser()
            blackHole(parser.consume(bytes))
        }
    }
    // Ten events in 256-byte chunks, as a network read delivers them.
    let stream = Array(Array(repeating: event.encoded, count: 10).joined().utf8)
    let chunks = stride(from: 0, to: stream.count, by: 256).map { Array(stream[$0..<min($0 + 256, stream.count)]) }
    Benchmark("SSE/ServerSentEventParser 10 events in 256 B chunks") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = ServerSentEventParser()
            for chunk in chunks {
                blackHole(parser.consume(chunk))
            }
        }
    }
}

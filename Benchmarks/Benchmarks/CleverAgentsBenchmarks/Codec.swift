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
import CleverAgentsRuntime
import Foundation
import NIOCore

/// JSON-RPC requests and responses through the HTTP front end's own codec path, and the client's
/// side of the same messages.
func codecBenchmarks() {
    // Server: decode each request as `POST /ns/{namespace}` does (depth check, envelope, params).
    for (name, json) in Payloads.requests {
        let body = ByteBuffer(string: json)
        precondition(HTTPCodecPath.decodeCall(body) != nil, "\(name) does not decode")
        Benchmark("Codec/decode request \(name) (\(body.readableBytes) B)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(HTTPCodecPath.decodeCall(body))
            }
        }
    }

    // The nesting check alone, as `readBody` runs it on the collected body.
    let sendBody = ByteBuffer(string: Payloads.sendMessage)
    Benchmark("Codec/JSONDepth.isWithin SendMessage body (\(sendBody.readableBytes) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(JSONDepth.isWithin(32, sendBody.readableBytesView))
        }
    }

    // What a SendMessage decode spends its time on: the free-form JSON (`JSONValue`) of a data
    // part and of metadata, against the same message with text parts only.
    decodeBenchmark("decode JSONValue data part", JSONValue.self, Payloads.dataPartValue)
    decodeBenchmark("decode Message text parts only", Message.self, Payloads.textOnlyMessage)
    decodeBenchmark("decode Message with data part and metadata", Message.self, Payloads.message)
    decodeBenchmark("decode SendMessageRequest without envelope", SendMessageRequest.self, Payloads.sendMessageParams)

    // Client: encode the same requests as `HTTPTransport` does.
    let sendParams = Payloads.decoded(SendMessageRequest.self, Payloads.sendMessageParams)
    Benchmark("Codec/encode request SendMessage (client)") { benchmark in
        for _ in benchmark.scaledIterations {
            let request = JSONRPCOutgoingRequest(id: .string("req-3b1d2c4e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"), method: "SendMessage", params: sendParams)
            blackHole(try A2AJSON.makeEncoder().encode(request))
        }
    }
    let getParams = GetTaskRequest(id: "task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d", historyLength: 10)
    Benchmark("Codec/encode request GetTask (client)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try A2AJSON.makeEncoder().encode(JSONRPCOutgoingRequest(id: .number(2), method: "GetTask", params: getParams)))
        }
    }

    // Server: encode answers as the endpoint does (JSON body in a Hummingbird response).
    let task = Payloads.decoded(A2ATask.self, Payloads.task)
    let taskBytes = Payloads.encodedResult(task, id: .number(2))
    Benchmark("Codec/encode response Task (\(taskBytes.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPCodecPath.encode(.task(task), id: .number(2)))
        }
    }
    Benchmark("Codec/encode response SendMessage Task") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPCodecPath.encode(.sendMessage(.task(task)), id: .string("req-3b1d2c4e-6f7a-4b8c-9d0e-1f2a3b4c5d6e")))
        }
    }
    let list = ListTasksResponse(tasks: Array(repeating: task, count: 10), nextPageToken: "eyJhZnRlciI6IjIwMjYifQ", pageSize: 10, totalSize: 57)
    Benchmark("Codec/encode response ListTasks (10 tasks)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPCodecPath.encode(.taskList(list), id: .number(3)))
        }
    }

    // Client: decode the answers as `HTTPTransport` does.
    Benchmark("Codec/decode response Task (client)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONDecoder().decode(JSONRPCResponse<A2ATask>.self, from: taskBytes))
        }
    }
    let statusEvent = Payloads.decoded(StreamResponse.self, Payloads.statusUpdate)
    let statusBytes = Payloads.encodedResult(statusEvent, id: .number(5))
    Benchmark("Codec/decode stream event statusUpdate (client)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONDecoder().decode(JSONRPCResponse<StreamResponse>.self, from: statusBytes))
        }
    }
}

/// Foundation's decode of `json` into `type`, named with its size in bytes.
private func decodeBenchmark<T: Decodable>(_ name: String, _ type: T.Type, _ json: String) {
    let data = Data(json.utf8)
    Benchmark("Codec/\(name) (\(data.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONDecoder().decode(T.self, from: data))
        }
    }
}

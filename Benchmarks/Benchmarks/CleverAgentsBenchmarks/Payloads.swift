//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// Realistic wire payloads: a ~1 KB SendMessage, the small read requests, and a task with a
/// short conversation and two artifacts.
enum Payloads {
    static let message = #"""
        {"role":"ROLE_USER","messageId":"0b6f7c1e-3d7a-4f0e-9a61-2f1c9d4b8e55","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "parts":[{"text":"Summarise the attached quarterly report for the leadership team. Keep it under 300 words, list the three biggest \#
        risks with one mitigation each, and flag any figure that changed by more than ten percent since the previous quarter."},\#
        {"text":"Context: the audience reads on phones, so prefer short paragraphs and plain words.","metadata":{"kind":"instructions"}},\#
        {"data":{"report":{"quarter":"2026-Q3","region":"EMEA","revenue":1843200.5,"costs":1201100.25,"headcount":214,\#
        "tags":["finance","quarterly","emea"]}},"mediaType":"application/json"}],\#
        "metadata":{"actor":"report-writer","priority":"normal","channel":"web"}}
        """#

    /// The data part's value alone: nested objects, numbers and an array.
    static let dataPartValue = #"""
        {"report":{"quarter":"2026-Q3","region":"EMEA","revenue":1843200.5,"costs":1201100.25,"headcount":214,\#
        "tags":["finance","quarterly","emea"]}}
        """#

    /// ``message`` without free-form JSON: the same texts, no data part, no metadata.
    static let textOnlyMessage = #"""
        {"role":"ROLE_USER","messageId":"0b6f7c1e-3d7a-4f0e-9a61-2f1c9d4b8e55","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "parts":[{"text":"Summarise the attached quarterly report for the leadership team. Keep it under 300 words, list the three biggest \#
        risks with one mitigation each, and flag any figure that changed by more than ten percent since the previous quarter."},\#
        {"text":"Context: the audience reads on phones, so prefer short paragraphs and plain words."}]}
        """#

    static let sendMessageParams = #"""
        {"message":\#(message),"configuration":{"acceptedOutputModes":["text/plain","application/json"],"historyLength":10,\#
        "returnImmediately":false},"metadata":{"traceTag":"bench","client":"cleveragents-cli/1.0"}}
        """#

    static let sendMessage = #"{"jsonrpc":"2.0","id":"req-3b1d2c4e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","method":"SendMessage","params":\#(sendMessageParams)}"#
    static let sendStreamingMessage =
        #"{"jsonrpc":"2.0","id":"req-3b1d2c4e-6f7a-4b8c-9d0e-1f2a3b4c5d6f","method":"SendStreamingMessage","params":\#(sendMessageParams)}"#
    static let getTask = #"{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","historyLength":10}}"#
    static let listTasks = #"""
        {"jsonrpc":"2.0","id":3,"method":"ListTasks","params":{"contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "status":"TASK_STATE_WORKING","pageSize":50,"pageToken":"eyJhZnRlciI6IjIwMjYtMTEtMjVUMTA6MjA6MDBaIn0","includeArtifacts":true}}
        """#
    static let cancelTask = #"{"jsonrpc":"2.0","id":4,"method":"CancelTask","params":{"id":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d"}}"#

    static let requests: [(name: String, json: String)] = [
        ("SendMessage", sendMessage),
        ("SendStreamingMessage", sendStreamingMessage),
        ("GetTask", getTask),
        ("ListTasks", listTasks),
        ("CancelTask", cancelTask),
    ]

    static let agentMessage = #"""
        {"role":"ROLE_AGENT","messageId":"msg-a1","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "taskId":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","parts":[{"text":"Here is the summary. Revenue rose 12% to 1.84 M; \#
        costs rose 4%. Risks: currency exposure, supplier concentration, hiring delays."}]}
        """#

    /// A completed task: two user turns, two agent turns, a text and a data artifact.
    static let task = #"""
        {"id":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "status":{"state":"TASK_STATE_COMPLETED","timestamp":"2026-11-25T10:20:00.125Z","message":\#(agentMessage)},\#
        "history":[\#(message),\#(agentMessage),\#
        {"role":"ROLE_USER","messageId":"msg-u2","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "taskId":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","parts":[{"text":"Shorter, please: five bullet points."}]},\#
        \#(agentMessage)],\#
        "artifacts":[{"artifactId":"art-summary","name":"Summary","description":"Leadership summary",\#
        "parts":[{"text":"- Revenue +12% (1.84 M)\n- Costs +4%\n- Currency exposure: hedge 60%\n- Supplier concentration: \#
        second source\n- Hiring delays: contractors"}]},\#
        {"artifactId":"art-figures","name":"Figures","parts":[{"data":{"revenue":1843200.5,"costs":1201100.25,"changes":\#
        [{"figure":"revenue","percent":12.1},{"figure":"headcount","percent":-3.2}]}}]}],\#
        "metadata":{"actor":"report-writer"}}
        """#

    static let statusUpdate = #"""
        {"statusUpdate":{"taskId":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "status":{"state":"TASK_STATE_WORKING","timestamp":"2026-11-25T10:19:58.500Z","message":{"role":"ROLE_AGENT",\#
        "messageId":"msg-status-3","parts":[{"text":"Reading the report (page 3 of 12)"}]}}}}
        """#

    static let artifactUpdate = #"""
        {"artifactUpdate":{"taskId":"task-9c2b7d1e-4f3a-4e5b-8c6d-7e8f9a0b1c2d","contextId":"ctx-5a0f3b7e-91c2-4d6b-8f7e-1c2d3e4f5a6b",\#
        "artifact":{"artifactId":"art-summary","parts":[{"text":"- Currency exposure: hedge 60% of the open positions\n"}]},\#
        "append":true,"lastChunk":false}}
        """#

    /// `json` decoded; the payloads are the literals above.
    ///
    /// Stops the benchmark executable when a literal does not decode: that is a mistake in this
    /// file, found on the first run, and the plugin's generated `registerBenchmarks()` calls the
    /// non-throwing `benchmarks` closure, so there is no caller to hand an error to.
    static func decoded<T: Decodable>(_ type: T.Type, _ json: String) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            fatalError("Payload of \(T.self) does not decode: \(error)")
        }
    }

    /// The JSON-RPC result response for `result` with `id`: the JSON the server writes (its
    /// `A2AJSONWriter` writes the same members and values), written by `JSONEncoder`.
    static func encodedResult(_ result: some Encodable & Sendable, id: JSONRPCID) -> Data {
        do {
            return try A2AJSON.makeEncoder().encode(JSONRPCResultResponse(id: id, result: result))
        } catch {
            // Unreachable for the values given here: they were decoded by `decoded(_:_:)` from
            // the JSON literals above, and `JSONEncoder` only throws for non-finite numbers,
            // which JSON text cannot carry. The benchmark closures cannot throw (see `decoded`).
            fatalError("Result \(type(of: result)) does not encode: \(error)")
        }
    }
}

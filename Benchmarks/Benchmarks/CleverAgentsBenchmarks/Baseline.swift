//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Benchmark
import Foundation

/// The unit of comparison: Foundation's JSON coders on a trivial struct, in the same run.
struct Trivial: Codable, Sendable {
    var a: Int
    var b: String
}

func baselineBenchmarks() {
    let value = Trivial(a: 42, b: "hello")
    let data = Data(#"{"a":42,"b":"hello"}"#.utf8)

    Benchmark("Baseline/JSONEncoder trivial struct") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONEncoder().encode(value))
        }
    }
    Benchmark("Baseline/JSONDecoder trivial struct") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONDecoder().decode(Trivial.self, from: data))
        }
    }
}

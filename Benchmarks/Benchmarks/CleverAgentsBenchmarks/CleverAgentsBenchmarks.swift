//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Benchmark

/// Every suite of the server's micro-benchmarks; `Baseline` is the unit the README's ratios use.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )
    baselineBenchmarks()
    codecBenchmarks()
    sseBenchmarks()
    accessBenchmarks()
    dispatchBenchmarks()
    fanOutBenchmarks()
}

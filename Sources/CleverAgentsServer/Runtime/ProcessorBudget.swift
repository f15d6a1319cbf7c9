//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import NIOCore

/// How many CPUs this process may use, to size its threads: a pod limited to one CPU on a
/// 64-core node must not run 64 event loops that take turns on one CPU.
public struct ProcessorBudget: Sendable, Hashable, CustomStringConvertible {
    /// CPUs the scheduler may run this process on (its affinity: `taskset`, a cpuset), from
    /// `Cpus_allowed_list` in `/proc/self/status`.
    public var affinity: Int?
    /// The cgroup's CPU quota (`cpu.max`) or cpuset, rounded up, as SwiftNIO reads it; the
    /// machine's CPUs when neither is set.
    public var cgroup: Int

    /// The fewest of the two: the threads that can run at once.
    public var processors: Int {
        max(1, min(affinity ?? cgroup, cgroup))
    }

    public init(affinity: Int?, cgroup: Int) {
        self.affinity = affinity
        self.cgroup = cgroup
    }

    /// This process's budget now.
    public static var current: ProcessorBudget {
        ProcessorBudget(affinity: affinityCount(), cgroup: System.coreCount)
    }

    public var description: String {
        "\(processors) (affinity \(affinity.map(String.init) ?? "unknown"), cgroup \(cgroup))"
    }

    private static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
            return count(cpuList: line.dropFirst("Cpus_allowed_list:".count))
        }
        return nil
    }

    /// The CPUs of a Linux CPU list (`0-3,8,10-11`), or `nil` when it is not one.
    static func count(cpuList: Substring) -> Int? {
        var total = 0
        for range in cpuList.trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = bounds.first.flatMap({ Int($0) }), bounds.count <= 2 else { return nil }
            let last = bounds.count == 2 ? Int(bounds[1]) : first
            guard let last, last >= first else { return nil }
            total += last - first + 1
        }
        return total > 0 ? total : nil
    }
}

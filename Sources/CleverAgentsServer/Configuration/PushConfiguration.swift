//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Push notification delivery (`push.*`).
public struct PushConfiguration: Sendable, Hashable {
    /// `push.timeoutSeconds`: timeout of one webhook delivery attempt.
    public var timeout: Duration
    /// `push.maxAttempts`: attempts before a notification is given up.
    public var maximumAttempts: Int
    /// `push.maxConfigsPerTask`: push notification configs one task may have.
    public var maximumConfigsPerTask: Int

    public init(timeout: Duration = .seconds(10), maximumAttempts: Int = 12, maximumConfigsPerTask: Int = 10) {
        self.timeout = timeout
        self.maximumAttempts = maximumAttempts
        self.maximumConfigsPerTask = maximumConfigsPerTask
    }

    /// Reads `push.*` over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("push")
        timeout = try values.seconds("timeoutSeconds", in: 1...300) ?? timeout
        maximumAttempts = try values.integer("maxAttempts", in: 1...100) ?? maximumAttempts
        maximumConfigsPerTask = try values.integer("maxConfigsPerTask", in: 1...1000) ?? maximumConfigsPerTask
    }
}

//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// The outcome of an A2A method: a value to encode, or a stream of events.
public enum A2AResponse: Sendable {
    case sendMessage(SendMessageResponse)
    case task(A2ATask)
    case taskList(ListTasksResponse)
    case pushConfig(TaskPushNotificationConfig)
    case pushConfigList(ListTaskPushNotificationConfigsResponse)
    case empty
    case agentCard(AgentCard)
    /// Events to send as SSE; the stream ends after a terminal or interrupted state.
    case stream(AsyncThrowingStream<StreamResponse, any Error>)
}

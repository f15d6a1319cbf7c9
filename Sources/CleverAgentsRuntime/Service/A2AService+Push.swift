//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import CleverAgentsDomain

extension A2AService {
    func createPushConfig(_ params: TaskPushNotificationConfig, context: RequestContext) async throws -> TaskPushNotificationConfig {
        _ = try await namespace(of: context)
        guard let task = try await visibleTask(params.taskId, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(params.taskId)
        }
        let config = try await makePushConfig(params, taskId: task.id, field: "", context: context)
        try await putPushConfig(config)
        return try wire(config)
    }

    /// Stores a config within the task's cap (`-32053` beyond it; replacing one is always allowed).
    func putPushConfig(_ config: PushConfigRecord) async throws {
        do {
            try await pushConfigs.putPushConfig(config, limit: limits.maximumPushConfigsPerTask)
        } catch let error as PushConfigLimitExceeded {
            throw error.rpcError
        }
    }

    func getPushConfig(_ params: GetTaskPushNotificationConfigRequest, context: RequestContext) async throws -> TaskPushNotificationConfig {
        _ = try await namespace(of: context)
        guard let task = try await visibleTask(params.taskId, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(params.taskId)
        }
        guard let config = try await pushConfigs.pushConfig(namespace: context.namespace, taskId: task.id, id: params.id) else {
            throw JSONRPCError(
                code: JSONRPCError.taskNotFoundCode,
                message: "Push notification config '\(params.id)' not found for task \(params.taskId)",
                data: [JSONRPCError.errorInfo(reason: "TASK_NOT_FOUND", metadata: ["taskId": params.taskId, "pushNotificationConfigId": params.id])]
            )
        }
        return try wire(config)
    }

    func listPushConfigs(_ params: ListTaskPushNotificationConfigsRequest, context: RequestContext) async throws -> ListTaskPushNotificationConfigsResponse {
        let pageSize = params.pageSize ?? limits.maximumPageSize
        guard (1...limits.maximumPageSize).contains(pageSize) else {
            throw JSONRPCError.invalidParams(field: "pageSize", description: "must be between 1 and \(limits.maximumPageSize)")
        }
        var offset = 0
        if let token = params.pageToken, !token.isEmpty {
            guard let decoded = Int(token), decoded >= 0 else {
                throw JSONRPCError.invalidParams(field: "pageToken", description: "is not a page token from this server")
            }
            offset = decoded
        }
        _ = try await namespace(of: context)
        guard let task = try await visibleTask(params.taskId, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(params.taskId)
        }
        let all = try await pushConfigs.pushConfigs(namespace: context.namespace, taskId: task.id)
        let page = all.dropFirst(offset).prefix(pageSize)
        let next = offset + page.count < all.count ? String(offset + page.count) : ""
        return ListTaskPushNotificationConfigsResponse(configs: try page.map(wire), nextPageToken: next)
    }

    /// Deleting is idempotent: a missing configuration is not an error (a missing task is).
    func deletePushConfig(_ params: DeleteTaskPushNotificationConfigRequest, context: RequestContext) async throws {
        _ = try await namespace(of: context)
        guard let task = try await visibleTask(params.taskId, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(params.taskId)
        }
        try await pushConfigs.deletePushConfig(namespace: context.namespace, taskId: task.id, id: params.id)
    }

    /// Validates a client's configuration and seals its credentials.
    ///
    /// - Parameter field: where the configuration sits in the params, for error messages.
    func makePushConfig(_ params: TaskPushNotificationConfig, taskId: String, field: String, context: RequestContext) async throws -> PushConfigRecord {
        func name(_ member: String) -> String { field.isEmpty ? member : "\(field).\(member)" }
        // The form, and an address written in the URL, are checked now. A host name is not
        // resolved here (whether a name resolves, and where, is not for a caller to learn): every
        // delivery resolves it and checks each address before it connects.
        do {
            _ = try egress.checkSaved(params.url, purpose: .webhook)
        } catch {
            throw JSONRPCError.invalidParams(field: name("url"), description: error.description)
        }
        if let id = params.id, id.utf8.count > 256 {
            throw JSONRPCError.invalidParams(field: name("id"), description: "must be at most 256 characters")
        }
        if let token = params.token, token.utf8.count > 4096 {
            throw JSONRPCError.invalidParams(field: name("token"), description: "must be at most 4096 characters")
        }
        let configId = params.id.flatMap { $0.isEmpty ? nil : $0 } ?? ids.makeID()
        var scheme: String?
        var credentials: SealedSecret?
        if let authentication = params.authentication {
            let trimmed = authentication.scheme.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.utf8.count <= 64, !trimmed.contains(" ") else {
                throw JSONRPCError.invalidParams(field: name("authentication.scheme"), description: "must be one word such as Bearer")
            }
            scheme = trimmed
            if let secret = authentication.credentials, !secret.isEmpty {
                guard secret.utf8.count <= 4096, !secret.contains("\r"), !secret.contains("\n") else {
                    throw JSONRPCError.invalidParams(field: name("authentication.credentials"), description: "must be one line of at most 4096 characters")
                }
                credentials = try secrets.seal(secret, for: .pushCredentials(namespace: context.namespace, taskId: taskId, configId: configId, url: params.url))
            }
        }
        return PushConfigRecord(
            namespace: context.namespace,
            taskId: taskId,
            id: configId,
            url: params.url,
            token: params.token,
            authenticationScheme: scheme,
            credentials: credentials,
            owner: context.caller.principalID,
            createdAt: clock.now()
        )
    }

    /// The wire form, with the credentials opened (only callers who can see the task get here).
    func wire(_ config: PushConfigRecord) throws -> TaskPushNotificationConfig {
        TaskPushNotificationConfig(
            id: config.id,
            taskId: config.taskId,
            url: config.url,
            token: config.token,
            authentication: try config.authenticationScheme.map { scheme in
                AuthenticationInfo(scheme: scheme, credentials: try config.openCredentials(with: secrets))
            }
        )
    }
}

extension PushConfigRecord {
    /// The webhook's `Authorization` credentials, opened for this config and its URL.
    func openCredentials(with secrets: any SecretBox) throws -> String? {
        try credentials.map { try secrets.open($0, for: .pushCredentials(namespace: namespace, taskId: taskId, configId: id, url: url)) }
    }
}

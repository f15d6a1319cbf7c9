//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import Crypto
import Foundation

/// The entity sync methods (`_cleveragents/sync/*`), for any front end.
public struct SyncService: Sendable {
    public let entities: any EntityStore
    public let namespaces: any NamespaceStore
    public let directory: NamespaceDirectory
    public let limits: SyncLimits
    /// Which graph URLs pushed actors may name (checked again at every connection).
    public let egress: EgressPolicy

    public init(
        entities: any EntityStore,
        namespaces: any NamespaceStore,
        directory: NamespaceDirectory,
        limits: SyncLimits = SyncLimits(),
        egress: EgressPolicy = .defaults(production: false)
    ) {
        self.entities = entities
        self.namespaces = namespaces
        self.directory = directory
        self.limits = limits
        self.egress = egress
    }

    /// Handles one sync call. Throws ``JSONRPCError`` for errors the client should see,
    /// ``PermissionDenied`` for a missing permission, ``ServiceError`` for a missing namespace.
    public func handle(_ call: SyncMethodCall, context: RequestContext) async throws -> SyncResponse {
        if let tenant = call.tenant, !tenant.isEmpty, tenant != context.namespace.rawValue {
            throw JSONRPCError.invalidParams(field: "tenant", description: "does not match the namespace of the endpoint")
        }
        try NamespacePolicy.authorize(context.caller, .sync(call))
        guard try await namespaces.namespace(named: context.namespace) != nil else {
            throw ServiceError.namespaceNotFound(context.namespace.rawValue)
        }
        switch call {
        case .push(let params):
            return .push(try await push(params, context: context))
        case .pull(let params):
            return .pull(try await pull(params, context: context))
        case .status:
            return .status(try await entities.syncStatus(namespace: context.namespace))
        }
    }

    func push(_ params: SyncPushRequest, context: RequestContext) async throws -> SyncPushResponse {
        try validate(params)
        let batch = SyncBatch(
            batchId: params.batchId,
            principal: context.caller.principalID,
            fingerprint: try Self.fingerprint(params.items),
            items: params.items
        )
        let response: SyncPushResponse
        do {
            response = try await entities.applySyncBatch(batch, namespace: context.namespace)
        } catch SyncBatchError.batchIdReused(let id) {
            throw JSONRPCError.invalidParams(field: "batchId", description: "'\(id)' was already used for a different batch; use a new id")
        }
        if response.results.contains(where: { $0.status == .applied && $0.kind == EntityKinds.actor }) {
            // New actors take effect at once on this replica; others reload within the snapshot TTL.
            await directory.activeActor(for: context.namespace)?.invalidate()
        }
        return response
    }

    func pull(_ params: SyncPullRequest, context: RequestContext) async throws -> SyncPullResponse {
        let cursor = params.cursor ?? 0
        guard cursor >= 0 else {
            throw JSONRPCError.invalidParams(field: "cursor", description: "must not be negative")
        }
        let pageSize = params.pageSize ?? limits.defaultPageSize
        guard (1...limits.maximumPageSize).contains(pageSize) else {
            throw JSONRPCError.invalidParams(field: "pageSize", description: "must be between 1 and \(limits.maximumPageSize)")
        }
        return try await entities.syncChanges(namespace: context.namespace, after: cursor, limit: pageSize)
    }

    private func validate(_ params: SyncPushRequest) throws {
        guard !params.batchId.isEmpty, params.batchId.utf8.count <= 128 else {
            throw JSONRPCError.invalidParams(field: "batchId", description: "must be 1-128 characters")
        }
        guard params.items.count <= limits.maximumBatchItems else {
            throw JSONRPCError.invalidParams(field: "items", description: "at most \(limits.maximumBatchItems) items per push")
        }
        var seen = Set<EntityKey>()
        let encoder = JSONEncoder()
        for (index, item) in params.items.enumerated() {
            let field = "items[\(index)]"
            guard EntityKinds.isValidKind(item.kind) else {
                throw JSONRPCError.invalidParams(field: "\(field).kind", description: EntityKinds.kindRule)
            }
            guard EntityKinds.isValidName(item.name, kind: item.kind) else {
                let rule = item.kind == EntityKinds.actor ? NamespaceName.rule : EntityKinds.nameRule
                throw JSONRPCError.invalidParams(field: "\(field).name", description: rule)
            }
            guard seen.insert(EntityKey(kind: item.kind, name: item.name)).inserted else {
                throw JSONRPCError.invalidParams(field: "\(field)", description: "\(item.kind)/\(item.name) appears twice in the batch")
            }
            guard item.baseRevision >= 0 else {
                throw JSONRPCError.invalidParams(field: "\(field).baseRevision", description: "must not be negative")
            }
            switch item.op {
            case .delete:
                guard item.body == nil else {
                    throw JSONRPCError.invalidParams(field: "\(field).body", description: "a delete carries no body")
                }
            case .upsert:
                guard let body = item.body else {
                    throw JSONRPCError.invalidParams(field: "\(field).body", description: "required field is missing")
                }
                if try encoder.encode(body).count > limits.maximumBodyBytes {
                    throw JSONRPCError.invalidParams(field: "\(field).body", description: "larger than \(limits.maximumBodyBytes) bytes")
                }
                let local = EntityKinds.localFieldsPresent(kind: item.kind, in: body)
                if !local.isEmpty {
                    throw JSONRPCError.invalidParams(
                        field: "\(field).body.\(local[0])",
                        description: "does not sync; set it on each side (for an actor's apiKey: cleveragents admin actor put --api-key-env)"
                    )
                }
                if item.kind == EntityKinds.actor {
                    try validateActor(body, name: item.name, field: "\(field).body")
                }
            }
        }
    }

    func validateActor(_ body: JSONObject, name: String, field: String) throws {
        let actor: ActorDefinition
        do {
            actor = try JSONDecoder().decode(ActorDefinition.self, from: JSONEncoder().encode(body))
        } catch let error as DecodingError {
            let detail = JSONRPCError.invalidParams(from: error, droppingPrefix: nil)
            throw JSONRPCError(code: detail.code, message: "Invalid params: '\(field)': not an actor (\(detail.message))", data: detail.data)
        }
        guard actor.name == name else {
            throw JSONRPCError.invalidParams(field: "\(field).name", description: "must equal the item's name '\(name)'")
        }
        do {
            _ = try egress.checkSaved(actor.graphURL, purpose: .graph)
        } catch {
            throw JSONRPCError.invalidParams(field: "\(field).graphURL", description: error.description)
        }
        guard !actor.assistantID.isEmpty else {
            throw JSONRPCError.invalidParams(field: "\(field).assistantID", description: "must not be empty")
        }
    }

    /// SHA-256 of the items in a canonical JSON form (sorted keys).
    static func fingerprint(_ items: [SyncPushItem]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let digest = SHA256.hash(data: try encoder.encode(items))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// The outcome of a sync method.
public enum SyncResponse: Sendable, Hashable {
    case push(SyncPushResponse)
    case pull(SyncPullResponse)
    case status(SyncStatusResponse)
}

/// Limits of the sync methods.
public struct SyncLimits: Sendable, Hashable {
    public var defaultPageSize: Int
    public var maximumPageSize: Int
    public var maximumBatchItems: Int
    public var maximumBodyBytes: Int

    public init(defaultPageSize: Int = 100, maximumPageSize: Int = 1000, maximumBatchItems: Int = 500, maximumBodyBytes: Int = 256 * 1024) {
        self.defaultPageSize = defaultPageSize
        self.maximumPageSize = maximumPageSize
        self.maximumBatchItems = maximumBatchItems
        self.maximumBodyBytes = maximumBodyBytes
    }
}


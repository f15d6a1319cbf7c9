//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A namespace entity as stored: actors first, but the set of kinds is open.
///
/// Every change raises ``revision`` by one and is appended to the namespace's sync log, whose
/// position is ``syncSequence``. A deleted entity stays as a tombstone so that sync can carry
/// the delete.
public struct EntityRecord: Sendable, Hashable {
    public var namespace: NamespaceName
    public var kind: String
    public var name: String
    public var body: JSONObject
    public var revision: Int64
    public var deleted: Bool
    public var syncSequence: Int64
    public var updatedAt: A2ATimestamp

    public init(
        namespace: NamespaceName,
        kind: String,
        name: String,
        body: JSONObject,
        revision: Int64,
        deleted: Bool,
        syncSequence: Int64,
        updatedAt: A2ATimestamp
    ) {
        self.namespace = namespace
        self.kind = kind
        self.name = name
        self.body = body
        self.revision = revision
        self.deleted = deleted
        self.syncSequence = syncSequence
        self.updatedAt = updatedAt
    }

    public var key: EntityKey { EntityKey(kind: kind, name: name) }

    /// The entity as sync carries it: no body for a tombstone, no secrets in a body.
    public var syncEntity: SyncEntity {
        SyncEntity(
            kind: kind,
            name: name,
            revision: revision,
            deleted: deleted,
            body: deleted ? nil : EntityKinds.syncedBody(kind: kind, body),
            sequence: syncSequence,
            updatedAt: updatedAt
        )
    }
}

/// Identifies an entity within its namespace.
public struct EntityKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { "\(kind)/\(name)" }

    public static func < (lhs: EntityKey, rhs: EntityKey) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}

/// The rules of entity kinds: names, bodies, and which fields stay on their side.
public enum EntityKinds {
    /// Actors: bodies are ``ActorDefinition``s.
    public static let actor = "actor"

    /// Body fields that never travel by sync. An actor's `apiKey` is sealed with the store's own
    /// key, which the other side does not have; `updatedAt` is the store's bookkeeping.
    static let localFields: [String: Set<String>] = [actor: ["apiKey", "updatedAt"]]

    /// What a valid kind looks like, for error messages.
    public static let kindRule = "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"
    /// What a valid entity name looks like, for error messages.
    public static let nameRule = "1-200 characters, no control characters and no '/'"

    public static func isValidKind(_ kind: String) -> Bool {
        NamespaceName.isValid(kind)
    }

    /// Actor names follow the namespace-name rules; other kinds allow any printable name up to 200 characters.
    public static func isValidName(_ name: String, kind: String) -> Bool {
        if kind == actor { return ActorDefinition.isValidName(name) }
        guard (1...200).contains(name.unicodeScalars.count) else { return false }
        return name.unicodeScalars.allSatisfy { !($0.properties.generalCategory == .control) && $0 != "/" }
    }

    /// The body without the fields that stay local.
    public static func syncedBody(kind: String, _ body: JSONObject) -> JSONObject {
        guard let fields = localFields[kind] else { return body }
        return body.filter { !fields.contains($0.key) }
    }

    /// A body arriving by sync, with the stored body's local fields carried over.
    ///
    /// An actor's API key stays only while its graph URL does: a push that points the actor
    /// elsewhere drops the key (it is set again on this side, for the new URL), so that nobody can
    /// redirect an actor to a listener of their own and receive its key.
    public static func merged(kind: String, incoming: JSONObject, stored: JSONObject?) -> JSONObject {
        var body = syncedBody(kind: kind, incoming)
        guard let fields = localFields[kind], let stored else { return body }
        if kind == actor && body["graphURL"] != stored["graphURL"] { return body }
        for field in fields where field != "updatedAt" {
            if let value = stored[field] { body[field] = value }
        }
        return body
    }

    /// The fields of `body` that must not be sent by sync.
    public static func localFieldsPresent(kind: String, in body: JSONObject) -> [String] {
        guard let fields = localFields[kind] else { return [] }
        return fields.filter { body[$0] != nil }.sorted()
    }
}

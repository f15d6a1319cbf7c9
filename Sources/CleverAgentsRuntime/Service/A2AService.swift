//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
public import Logging

/// The A2A methods, as the application implements them for any front end.
///
/// Stateless: namespace state lives in the ``NamespaceActor``s of the ``NamespaceDirectory``,
/// tasks in the ``TaskStore``, and runs in the ``TaskWorker``.
public struct A2AService: Sendable {
    public let directory: NamespaceDirectory
    public let namespaces: any NamespaceStore
    public let tasks: any TaskStore
    public let pushConfigs: any PushConfigStore
    public let bus: any TaskEventBus
    public let executor: any GraphExecutor
    public let worker: TaskWorker
    public let ids: any IdentifierGenerator
    public let clock: A2ATimestampSource
    public let secrets: any SecretBox
    public let cards: AgentCardBuilder
    /// Which webhook URLs may be configured (checked again at every delivery).
    public let egress: EgressPolicy
    public let limits: ServiceLimits
    /// Finished tasks kept in memory for `GetTask`.
    public let finishedTasks: FinishedTaskCache
    public let logger: Logger

    public init(
        directory: NamespaceDirectory,
        namespaces: any NamespaceStore,
        tasks: any TaskStore,
        pushConfigs: any PushConfigStore,
        bus: any TaskEventBus,
        executor: any GraphExecutor,
        worker: TaskWorker,
        ids: any IdentifierGenerator,
        clock: A2ATimestampSource,
        secrets: any SecretBox,
        cards: AgentCardBuilder,
        egress: EgressPolicy = EgressPolicy(),
        limits: ServiceLimits = ServiceLimits(),
        finishedTasks: FinishedTaskCache = FinishedTaskCache(),
        logger: Logger
    ) {
        self.directory = directory
        self.namespaces = namespaces
        self.tasks = tasks
        self.pushConfigs = pushConfigs
        self.bus = bus
        self.executor = executor
        self.worker = worker
        self.ids = ids
        self.clock = clock
        self.secrets = secrets
        self.cards = cards
        self.egress = egress
        self.limits = limits
        self.finishedTasks = finishedTasks
        self.logger = logger
    }

    /// Handles one A2A call.
    ///
    /// Throws ``JSONRPCError`` for protocol errors the client should see; other errors are
    /// failures of the server (``StoreError`` and the like).
    public func handle(_ call: A2AMethodCall, context: RequestContext) async throws -> A2AResponse {
        if let tenant = call.tenant, !tenant.isEmpty, tenant != context.namespace.rawValue {
            throw JSONRPCError.invalidParams(field: "tenant", description: "does not match the namespace of the endpoint")
        }
        try NamespacePolicy.authorize(context.caller, .a2a(call))
        switch call {
        case .sendMessage(let params):
            return try await sendMessage(params, streaming: false, context: context)
        case .sendStreamingMessage(let params):
            return try await sendMessage(params, streaming: true, context: context)
        case .getTask(let params):
            return .task(try await getTask(params, context: context))
        case .listTasks(let params):
            return .taskList(try await listTasks(params, context: context))
        case .subscribeToTask(let params):
            return try await subscribe(params, context: context)
        case .cancelTask(let params):
            return .task(try await cancel(params, context: context))
        case .createTaskPushNotificationConfig(let params):
            return .pushConfig(try await createPushConfig(params, context: context))
        case .getTaskPushNotificationConfig(let params):
            return .pushConfig(try await getPushConfig(params, context: context))
        case .listTaskPushNotificationConfigs(let params):
            return .pushConfigList(try await listPushConfigs(params, context: context))
        case .deleteTaskPushNotificationConfig(let params):
            try await deletePushConfig(params, context: context)
            return .empty
        case .getExtendedAgentCard:
            throw JSONRPCError.unsupportedOperation("This agent does not declare an extended agent card")
        }
    }

    // MARK: Namespace

    /// The namespace's actor and settings; throws when the namespace does not exist, without
    /// activating an actor for it (see ``NamespaceDirectory/resolve(_:load:)``).
    public func namespace(_ name: NamespaceName) async throws -> (NamespaceActor, NamespaceSnapshot) {
        guard let found = try await directory.resolve(name) else {
            throw ServiceError.namespaceNotFound(name.rawValue)
        }
        return found
    }

    /// The namespace's actor and its admission of the caller presenting `credential` (the raw
    /// `Bearer` or `X-API-Key` value): one visit to the actor when it is active here with the
    /// settings and the credential cached. Fails with "namespace not found" before anything
    /// about the credential is said.
    ///
    /// - Parameter anonymousAllowed: whether a namespace whose authentication is disabled lets
    ///   every caller in as its anonymous owner (never in production).
    public func admission(
        to name: NamespaceName,
        presenting credential: String?,
        authenticator: Authenticator,
        anonymousAllowed: Bool
    ) async throws -> (actor: NamespaceActor, admission: NamespaceAdmission) {
        guard let actor = try await directory.existingActor(name),
            let admission = try await actor.admission(presenting: credential, authenticator: authenticator, anonymousAllowed: anonymousAllowed)
        else {
            throw ServiceError.namespaceNotFound(name.rawValue)
        }
        return (actor, admission)
    }

    /// The actor and settings of the request's namespace: as the front end resolved them, else
    /// looked up (``namespace(_:)``).
    func namespace(of context: RequestContext) async throws -> (NamespaceActor, NamespaceSnapshot) {
        if let resolved = context.resolved, resolved.actor.name == context.namespace {
            return resolved
        }
        return try await namespace(context.namespace)
    }

    /// The namespace whose card the server root serves: `configured` (`namespaces.default`) when
    /// set, else the only namespace when there is exactly one (looked up at most once per
    /// ``NamespaceDirectory/soleNamespaceTTL``), else none.
    public func rootNamespace(configured: NamespaceName?) async throws -> NamespaceName? {
        if let configured { return configured }
        return try await directory.soleNamespace { try await namespaces.namespaceNames(limit: 2) }
    }

    /// The subscription a request follows its task with: a stream slot for a streaming answer
    /// (refused with `-32053` beyond the caps of ``StreamLimits``), a subscriber for a blocking
    /// one, none for one that returns at once.
    func subscription(
        to taskId: String,
        streaming: Bool,
        returnImmediately: Bool,
        on namespaceActor: NamespaceActor,
        context: RequestContext
    ) async throws -> TaskSubscription? {
        if streaming {
            do throws(StreamLimitExceeded) {
                return try await namespaceActor.openStream(taskId: taskId, principal: context.caller.principalID)
            } catch {
                throw error.rpcError
            }
        }
        return returnImmediately ? nil : await namespaceActor.subscribe(taskId: taskId)
    }


    // MARK: Tasks

    func sendMessage(_ params: SendMessageRequest, streaming: Bool, context: RequestContext) async throws -> A2AResponse {
        try validate(params.message)
        let (namespaceActor, snapshot) = try await namespace(of: context)
        if let taskId = params.message.taskId, !taskId.isEmpty {
            return try await continueTask(taskId, params, streaming: streaming, snapshot: snapshot, namespaceActor: namespaceActor, context: context)
        }
        let actorName = params.message.metadata?["actor"]?.stringValue ?? params.metadata?["actor"]?.stringValue
        guard let actor = snapshot.actor(named: actorName) else {
            if let actorName {
                throw JSONRPCError.invalidParams(field: "message.metadata.actor", description: "unknown actor '\(actorName)'")
            }
            throw JSONRPCError.invalidParams(
                field: "message.metadata.actor",
                description: "namespace '\(context.namespace)' has no default actor; name one in message.metadata.actor"
            )
        }

        let now = clock.now()
        let taskId = ids.makeID()
        let contextId = params.message.contextId.flatMap { $0.isEmpty ? nil : $0 } ?? ids.makeID()
        var pushConfigs: [PushConfigRecord] = []
        if let inline = params.configuration?.taskPushNotificationConfig {
            pushConfigs.append(try await makePushConfig(inline, taskId: taskId, field: "configuration.taskPushNotificationConfig", context: context))
        }
        var message = params.message
        message.taskId = taskId
        message.contextId = contextId
        var record = TaskRecord(
            namespace: context.namespace,
            id: taskId,
            contextId: contextId,
            owner: context.caller.principalID,
            actorName: actor.name,
            status: TaskStatus(state: .submitted, timestamp: now),
            history: [message],
            metadata: params.metadata,
            threadID: ThreadIdentifier.thread(namespace: context.namespace.rawValue, owner: context.caller.principalID, contextId: contextId),
            createdAt: now
        )
        record.lastEventSequence = 1
        let created = TaskEventRecord(namespace: context.namespace, taskId: taskId, sequence: 1, event: .task(record.a2aTask()))
        let input = TaskRunInput(message: message, traceParent: context.traceParent)
        record.runInput = input
        // Made before the task is written: an API key that does not open fails the request, not the task.
        let job = try TaskJob(task: record, input: input, actor: actor, secrets: secrets)
        let returnImmediately = !streaming && (params.configuration?.returnImmediately ?? false)
        let subscription = try await subscription(
            to: taskId, streaming: streaming, returnImmediately: returnImmediately, on: namespaceActor, context: context
        )
        let leased: Bool
        do {
            leased = try await worker.create(record, events: [created], pushConfigs: pushConfigs, in: tasks)
        } catch {
            await subscription?.cancel()
            throw error
        }
        await bus.publish([created])
        return try await start(
            job,
            leased: leased,
            subscription: subscription,
            streaming: streaming,
            historyLength: params.configuration?.historyLength
        )
    }

    /// Hands the job to the worker (which runs it at once when its task is `leased` here) and
    /// answers: at once, as a stream, or when the turn ends.
    func start(_ job: TaskJob, leased: Bool = false, subscription: TaskSubscription?, streaming: Bool, historyLength: Int?) async throws -> A2AResponse {
        let record = job.task
        guard await worker.submit(job, leased: leased) else {
            await subscription?.cancel()
            throw ServiceError.shuttingDown
        }
        guard let subscription else {
            return .sendMessage(.task(record.a2aTask(historyLength: historyLength)))
        }
        let streamer = TaskEventStreamer(store: tasks)
        if streaming {
            return .stream(streamer.stream(from: record, subscription: subscription, historyLength: historyLength, untilInterrupted: true))
        }
        // Blocking: wait for a terminal or interrupted state, then answer with the stored task:
        // as its writer here published it with its last event, else read back.
        let last: TaskEventRecord?
        do {
            last = try await TaskEventStreamer.follow(subscription: subscription, after: record.lastEventSequence, store: tasks, namespace: record.namespace) { _ in }
        } catch {
            await subscription.cancel()
            throw error
        }
        await subscription.cancel()
        let final: TaskRecord
        if let last, let committed = last.committedTask, committed.lastEventSequence == last.sequence {
            final = committed
        } else if let stored = try await tasks.task(namespace: record.namespace, id: record.id) {
            final = stored
        } else {
            throw JSONRPCError.internalError("The task disappeared while it ran")
        }
        if final.repliedWithMessage, var reply = final.status.message {
            // A direct reply stands alone: it names the context, not the (internal) task.
            reply.taskId = nil
            return .sendMessage(.message(reply))
        }
        return .sendMessage(.task(final.a2aTask(historyLength: historyLength)))
    }

    func subscribe(_ params: SubscribeToTaskRequest, context: RequestContext) async throws -> A2AResponse {
        let (namespaceActor, _) = try await namespace(of: context)
        // Listen before reading the task, so nothing committed after the read is missed.
        let subscription: TaskSubscription
        do throws(StreamLimitExceeded) {
            subscription = try await namespaceActor.openStream(taskId: params.id, principal: context.caller.principalID)
        } catch {
            throw error.rpcError
        }
        let record: TaskRecord
        do {
            guard let visible = try await visibleTask(params.id, context: context) else {
                throw JSONRPCError.taskNotFound(params.id)
            }
            guard !visible.state.isTerminal else {
                throw JSONRPCError.unsupportedOperation("Task \(params.id) is in the terminal state \(visible.state.rawValue); there is nothing to subscribe to")
            }
            record = visible
        } catch {
            await subscription.cancel()
            throw error
        }
        return .stream(TaskEventStreamer(store: tasks).stream(from: record, subscription: subscription, historyLength: nil, untilInterrupted: false))
    }

    func getTask(_ params: GetTaskRequest, context: RequestContext) async throws -> A2ATask {
        if let historyLength = params.historyLength, historyLength < 0 {
            throw JSONRPCError.invalidParams(field: "historyLength", description: "must not be negative")
        }
        let (_, snapshot) = try await namespace(of: context)
        let createdAt = snapshot.namespace.createdAt
        let record: TaskRecord?
        if let finished = finishedTasks.task(namespace: context.namespace, id: params.id, namespaceCreatedAt: createdAt) {
            record = Self.isVisible(finished, to: context.caller) ? finished : nil
        } else {
            record = try await visibleTask(params.id, context: context)
            if let record { finishedTasks.remember(record, namespaceCreatedAt: createdAt) }
        }
        guard let record else {
            throw JSONRPCError.taskNotFound(params.id)
        }
        return record.a2aTask(historyLength: params.historyLength)
    }

    func listTasks(_ params: ListTasksRequest, context: RequestContext) async throws -> ListTasksResponse {
        let pageSize = params.pageSize ?? limits.defaultPageSize
        guard (1...limits.maximumPageSize).contains(pageSize) else {
            throw JSONRPCError.invalidParams(field: "pageSize", description: "must be between 1 and \(limits.maximumPageSize)")
        }
        if let historyLength = params.historyLength, historyLength < 0 {
            throw JSONRPCError.invalidParams(field: "historyLength", description: "must not be negative")
        }
        var cursor: TaskCursor?
        if let token = params.pageToken, !token.isEmpty {
            guard let decoded = PageToken.decode(token) else {
                throw JSONRPCError.invalidParams(field: "pageToken", description: "is not a page token from this server")
            }
            cursor = decoded
        }
        _ = try await namespace(of: context)
        let query = TaskQuery(
            owner: context.caller.seesAllTasks ? nil : context.caller.principalID,
            contextId: params.contextId.flatMap { $0.isEmpty ? nil : $0 },
            state: params.status == .unspecified ? nil : params.status,
            statusTimestampAfter: params.statusTimestampAfter,
            pageSize: pageSize,
            after: cursor
        )
        let page = try await tasks.listTasks(namespace: context.namespace, query: query)
        let includeArtifacts = params.includeArtifacts ?? false
        let nextToken: String
        if page.hasMore, let last = page.tasks.last {
            nextToken = PageToken.encode(TaskCursor(statusTimestamp: last.status.timestamp ?? last.updatedAt, id: last.id))
        } else {
            nextToken = ""
        }
        return ListTasksResponse(
            tasks: page.tasks.map { $0.a2aTask(historyLength: params.historyLength, includeArtifacts: includeArtifacts) },
            nextPageToken: nextToken,
            pageSize: pageSize,
            totalSize: page.totalSize
        )
    }

    /// The task if the caller may see it (or, `forActing`, act on it); another owner's task is
    /// "not found" unless the caller's role reaches every task of the namespace.
    func visibleTask(_ id: String, context: RequestContext, forActing: Bool = false) async throws -> TaskRecord? {
        guard let record = try await tasks.task(namespace: context.namespace, id: id) else { return nil }
        return Self.isVisible(record, to: context.caller, forActing: forActing) ? record : nil
    }

    static func isVisible(_ record: TaskRecord, to caller: Caller, forActing: Bool = false) -> Bool {
        (forActing ? caller.actsOnAllTasks : caller.seesAllTasks) || record.owner == caller.principalID
    }

    private func validate(_ message: Message) throws {
        if message.messageId.isEmpty {
            throw JSONRPCError.invalidParams(field: "message.messageId", description: "must not be empty")
        }
        if message.role != .user {
            throw JSONRPCError.invalidParams(field: "message.role", description: "must be ROLE_USER")
        }
        if message.parts.isEmpty {
            throw JSONRPCError.invalidParams(field: "message.parts", description: "at least one part is required")
        }
        if message.parts.count > limits.maximumParts {
            throw JSONRPCError.invalidParams(field: "message.parts", description: "at most \(limits.maximumParts) parts are allowed")
        }
        // Identifiers end up in keys, logs and notifications: bounded, and without control characters.
        for (field, value) in [("message.messageId", message.messageId), ("message.taskId", message.taskId), ("message.contextId", message.contextId)] {
            guard let value else { continue }
            if value.utf8.count > ServiceLimits.maximumIdentifierLength {
                throw JSONRPCError.invalidParams(field: field, description: "at most \(ServiceLimits.maximumIdentifierLength) bytes")
            }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
                throw JSONRPCError.invalidParams(field: field, description: "must not contain spaces or control characters")
            }
        }
    }
}

/// Limits the service enforces on requests.
public struct ServiceLimits: Sendable, Hashable {
    /// The longest message, task and context id a client may send, in UTF-8 bytes.
    public static let maximumIdentifierLength = 256

    public var defaultPageSize: Int
    public var maximumPageSize: Int
    public var maximumParts: Int
    /// Push notification configs one task may have (`push.maxConfigsPerTask`).
    public var maximumPushConfigsPerTask: Int

    public init(defaultPageSize: Int = 50, maximumPageSize: Int = 100, maximumParts: Int = 64, maximumPushConfigsPerTask: Int = 10) {
        self.defaultPageSize = defaultPageSize
        self.maximumPageSize = maximumPageSize
        self.maximumParts = maximumParts
        self.maximumPushConfigsPerTask = maximumPushConfigsPerTask
    }
}

/// Failures of the service that are not A2A errors.
public enum ServiceError: Error, Sendable, Hashable {
    case namespaceNotFound(String)
    case shuttingDown
}

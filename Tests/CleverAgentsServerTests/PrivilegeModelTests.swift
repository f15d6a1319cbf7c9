//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Testing

/// Random sequences of administration and sync calls, by callers of every role, against a running
/// server; after each step every live token's power is measured by probing the server and
/// compared with a small reference model of who may hold what. The server must answer each call
/// as the model says, and no token may ever do more than the model allows.
///
/// The model restates the privilege rules on its own (it does not call `GrantRules`): a role
/// binding, team membership or token changes only within the caller's own role, a token carries
/// at most its minter's role, and server principals get nothing in a namespace.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(8))) struct PrivilegeModelTests {
    typealias Role = NamespaceRole

    enum Subject: Hashable, CustomStringConvertible {
        case principal(String)
        case team(String)

        var json: String {
            switch self {
            case .principal(let id): #""principal":"\#(id)""#
            case .team(let name): #""team":"\#(name)""#
            }
        }

        var description: String { json }
    }

    /// One step: who calls, and what.
    enum Action: CustomStringConvertible {
        case mint(principal: String, role: Role?)
        case bind(Subject, Role)
        case unbind(Subject)
        case createTeam(String)
        case deleteTeam(String)
        case addMember(team: String, principal: String)
        case removeMember(team: String, principal: String)
        case revoke(token: String)
        case syncPush

        var description: String {
            switch self {
            case .mint(let principal, let role): "mint(\(principal), \(role?.rawValue ?? "-"))"
            case .bind(let subject, let role): "bind(\(subject), \(role.rawValue))"
            case .unbind(let subject): "unbind(\(subject))"
            case .createTeam(let name): "createTeam(\(name))"
            case .deleteTeam(let name): "deleteTeam(\(name))"
            case .addMember(let team, let principal): "addMember(\(team), \(principal))"
            case .removeMember(let team, let principal): "removeMember(\(team), \(principal))"
            case .revoke(let token): "revoke(\(token.prefix(19)))"
            case .syncPush: "syncPush"
            }
        }
    }

    /// How the server answered a call.
    enum Outcome: Equatable {
        case done
        case denied
        case invalid
        case conflict
        case other(status: Int, code: Int?)
    }

    /// The reference model of the namespace's grants.
    struct Model {
        var bindings: [Subject: Role] = [:]
        var teams: [String: Set<String>] = [:]
        var principals: Set<String> = []
        /// Live tokens: their principal and the cap they were minted with.
        var tokens: [String: (principal: String, cap: Role?)] = [:]
        /// Every token in the order it was made: the sequences pick by position, so that a seed
        /// replays the same calls whatever the random token texts are.
        var minted: [String] = []
        var liveTokens: [String] { minted.filter { tokens[$0] != nil } }
        let serverPrincipals: Set<String>

        func role(of principal: String) -> Role? {
            var roles = [bindings[.principal(principal)]].compactMap { $0 }
            for (team, members) in teams where members.contains(principal) {
                if let role = bindings[.team(team)] { roles.append(role) }
            }
            return roles.max()
        }

        func power(of token: String) -> Role? {
            guard let (principal, cap) = tokens[token], let role = role(of: principal) else { return nil }
            return cap.map { min($0, role) } ?? role
        }

        static func atMost(_ role: Role?, _ ceiling: Role?) -> Bool {
            guard let role else { return true }
            guard let ceiling else { return false }
            return role <= ceiling
        }

        /// What the server must answer `action` by `caller`.
        func expected(_ action: Action, caller: String) -> Outcome {
            let power = self.power(of: caller)
            let callerPrincipal = tokens[caller]?.principal
            guard let power, power >= .admin else { return .denied }
            switch action {
            case .mint(let principal, let role):
                if serverPrincipals.contains(principal) { return .invalid }
                let held = [self.role(of: principal), role].compactMap { $0 }.max()
                guard Self.atMost(held, power) else { return .denied }
                if let role, !Self.atMost(bindings[.principal(principal)], power) || !Self.atMost(role, power) { return .denied }
                return .done
            case .bind(let subject, let role):
                guard Self.atMost(bindings[subject], power), Self.atMost(role, power) else { return .denied }
                switch subject {
                case .principal(let id):
                    return principals.contains(id) && !serverPrincipals.contains(id) ? .done : .invalid
                case .team(let name):
                    return teams[name] != nil ? .done : .invalid
                }
            case .unbind(let subject):
                return Self.atMost(bindings[subject], power) ? .done : .denied
            case .createTeam(let name):
                return teams[name] == nil ? .done : .conflict
            case .deleteTeam(let name), .removeMember(let name, _):
                return Self.atMost(bindings[.team(name)], power) ? .done : .denied
            case .addMember(let team, let principal):
                guard principals.contains(principal), !serverPrincipals.contains(principal), teams[team] != nil else { return .invalid }
                return Self.atMost(bindings[.team(team)], power) ? .done : .denied
            case .revoke(let token):
                guard let target = tokens[token] else { return .done }
                return target.principal == callerPrincipal || Self.atMost(self.power(of: token), power) ? .done : .denied
            case .syncPush:
                return .done
            }
        }

        /// Applies an action the server carried out; `minted` is the new token of a mint.
        mutating func apply(_ action: Action, caller: String, minted: String?) {
            switch action {
            case .mint(let principal, let role):
                // The cap is the minter's power when it mints (before its own grant applies).
                let cap = power(of: caller)
                principals.insert(principal)
                if let role { bindings[.principal(principal)] = role }
                if let token = minted {
                    tokens[token] = (principal, cap)
                    self.minted.append(token)
                }
            case .bind(let subject, let role):
                bindings[subject] = role
            case .unbind(let subject):
                bindings[subject] = nil
            case .createTeam(let name):
                teams[name] = []
            case .deleteTeam(let name):
                teams[name] = nil
                bindings[.team(name)] = nil
            case .addMember(let team, let principal):
                teams[team]?.insert(principal)
            case .removeMember(let team, let principal):
                teams[team]?.remove(principal)
            case .revoke(let token):
                tokens[token] = nil
            case .syncPush:
                break
            }
        }
    }

    /// Six principals of one run (principals are server-wide, and runs share the database).
    static func principalPool() -> [String] {
        let run = TestEnvironment.uniqueName("p")
        return (0..<6).map { "\(run)-\($0)" }
    }

    static let teamPool = ["t0", "t1", "t2"]
    static let maximumLiveTokens = 8

    static func randomAction(_ model: Model, pool: [String], root: String, using generator: inout SeededGenerator) -> Action {
        let principals = pool + [root]
        let role = Role.allCases.randomElement(using: &generator)!
        let subject: Subject =
            Bool.random(using: &generator)
            ? .principal(principals.randomElement(using: &generator)!) : .team(teamPool.randomElement(using: &generator)!)
        let team = teamPool.randomElement(using: &generator)!
        let principal = principals.randomElement(using: &generator)!
        switch Int.random(in: 0..<10, using: &generator) {
        case 0, 1:
            if model.tokens.count < maximumLiveTokens {
                return .mint(principal: principal, role: Bool.random(using: &generator) ? role : nil)
            }
            return .revoke(token: model.liveTokens.randomElement(using: &generator)!)
        case 2, 3: return .bind(subject, role)
        case 4: return .unbind(subject)
        case 5: return model.teams[team] == nil ? .createTeam(team) : .deleteTeam(team)
        case 6, 7: return .addMember(team: team, principal: principal)
        case 8: return .removeMember(team: team, principal: principal)
        default: return model.tokens.count > 3 ? .revoke(token: model.liveTokens.randomElement(using: &generator)!) : .syncPush
        }
    }

    /// Sends `action` with `caller`'s token; returns the outcome and, for a mint, the new token.
    static func perform(_ action: Action, caller: String, on seat: PrivilegeTests.Seat) async throws -> (Outcome, String?) {
        let reply: RPCTestClient.Reply
        switch action {
        case .mint(let principal, let role):
            let roleJSON = role.map { #","role":"\#($0.rawValue)""# } ?? ""
            reply = try await seat.call("_cleveragents/admin/tokens/create", #"{"principal":"\#(principal)"\#(roleJSON)}"#)
        case .bind(let subject, let role):
            reply = try await seat.call("_cleveragents/admin/roleBindings/set", #"{\#(subject.json),"role":"\#(role.rawValue)"}"#)
        case .unbind(let subject):
            reply = try await seat.call("_cleveragents/admin/roleBindings/delete", "{\(subject.json)}")
        case .createTeam(let name):
            reply = try await seat.call("_cleveragents/admin/teams/create", #"{"name":"\#(name)"}"#)
        case .deleteTeam(let name):
            reply = try await seat.call("_cleveragents/admin/teams/delete", #"{"name":"\#(name)"}"#)
        case .addMember(let team, let principal):
            reply = try await seat.call("_cleveragents/admin/teams/addMember", #"{"team":"\#(team)","principal":"\#(principal)"}"#)
        case .removeMember(let team, let principal):
            reply = try await seat.call("_cleveragents/admin/teams/removeMember", #"{"team":"\#(team)","principal":"\#(principal)"}"#)
        case .revoke(let token):
            reply = try await seat.call("_cleveragents/admin/tokens/revoke", #"{"id":"\#(APITokenText(token)?.id ?? "")"}"#)
        case .syncPush:
            let actor = #"{"name":"probe","description":"","tags":[],"examples":[],"graphURL":"http://127.0.0.1:9","assistantID":"echo","isDefault":false}"#
            reply = try await seat.call(
                "_cleveragents/sync/push",
                #"{"batchId":"\#(UUID().uuidString)","items":[{"kind":"actor","name":"probe","op":"upsert","baseRevision":0,"force":true,"body":\#(actor)}]}"#
            )
        }
        let outcome: Outcome =
            switch (reply.status, reply.errorCode) {
            case (200, nil): .done
            case (403, _): .denied
            case (_, JSONRPCError.invalidParamsCode): .invalid
            case (409, _): .conflict
            default: .other(status: reply.status, code: reply.errorCode)
            }
        let minted = outcome == .done ? (try? reply.result()["token"]?.stringValue) ?? nil : nil
        return (outcome, minted)
    }

    /// The role a token acts with, measured: the highest level whose probe the server allows.
    /// Each probe changes nothing (the owner probe re-binds the sentinel owner as owner).
    static func measuredPower(of token: String, on seat: PrivilegeTests.Seat, sentinel: String) async throws -> Role? {
        let probes: [(Role, String, String)] = [
            (.viewer, "ListTasks", #"{"pageSize":1}"#),
            (.member, "CancelTask", #"{"id":"no-such-task"}"#),
            (.admin, "_cleveragents/admin/audit/list", #"{"limit":1}"#),
            (.owner, "_cleveragents/admin/roleBindings/set", #"{"principal":"\#(sentinel)","role":"owner"}"#),
        ]
        let token = PrivilegeTests.Seat(server: seat.server, namespace: seat.namespace, token: token)
        var power: Role?
        for (role, method, params) in probes {
            let reply = try await token.call(method, params)
            // A member's cancel of an unknown task is "not found": the permission check passed.
            let allowed = reply.status == 200 && (reply.errorCode == nil || reply.errorCode == JSONRPCError.taskNotFoundCode)
            #expect(allowed || reply.status == 403, "\(method) answered \(reply.status): \(reply.text)")
            if allowed {
                #expect(power == (role == .viewer ? nil : Role.allCases[Role.allCases.firstIndex(of: role)! - 1]), "powers are nested")
                power = role
            }
        }
        return power
    }

    @Test(arguments: (1...6).map { UInt64($0) })
    func noSequenceOfGrantsGivesAnyoneMoreThanTheModelAllows(seed: UInt64) async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(authMode: .required, assistant: nil)
            let seat = PrivilegeTests.Seat(server: server, namespace: namespace, token: nil)
            let root = TestEnvironment.uniqueName("root")
            _ = try await server.store.ensurePrincipal(Principal(id: root, isSuperadmin: true, createdAt: .now))
            let pool = Self.principalPool()
            let sentinel = TestEnvironment.uniqueName("sentinel")
            _ = try await IsolationTests.token(server, namespace, sentinel, .owner)
            var model = Model(serverPrincipals: [root])
            model.principals = [sentinel, root]
            model.bindings[.principal(sentinel)] = .owner
            // The operator's seats, uncapped: one token of each role.
            for (index, role) in Role.allCases.reversed().enumerated() {
                let principal = pool[index]
                let token = try await IsolationTests.token(server, namespace, principal, role)
                model.principals.insert(principal)
                model.bindings[.principal(principal)] = role
                model.tokens[token] = (principal, nil)
                model.minted.append(token)
            }

            var generator = SeededGenerator(seed: seed)
            var log: [String] = []
            for step in 0..<120 {
                guard let caller = model.liveTokens.randomElement(using: &generator) else { break }
                let action = Self.randomAction(model, pool: pool, root: root, using: &generator)
                let expected = model.expected(action, caller: caller)
                let (outcome, minted) = try await Self.perform(action, caller: caller, on: PrivilegeTests.Seat(server: server, namespace: namespace, token: caller))
                log.append("\(step): \(model.tokens[caller]!.principal)(\(model.power(of: caller)?.rawValue ?? "none")) \(action) → \(outcome)")
                #expect(outcome == expected, "seed \(seed), step \(step): expected \(expected)\n\(log.suffix(12).joined(separator: "\n"))")
                if outcome != expected { break }
                if outcome == .done { model.apply(action, caller: caller, minted: minted) }

                for token in model.liveTokens {
                    let measured = try await Self.measuredPower(of: token, on: seat, sentinel: sentinel)
                    let allowed = model.power(of: token)
                    let context = "seed \(seed), step \(step): \(model.tokens[token]!.principal)'s token acts as \(measured?.rawValue ?? "none"), the model allows \(allowed?.rawValue ?? "none")"
                    #expect(Model.atMost(measured, allowed), "more power than allowed: \(context)\n\(log.suffix(40).joined(separator: "\n"))")
                    #expect(measured == allowed, "\(context)")
                }
                if step % 20 == 0 {
                    for token in model.tokens.keys {
                        let serverCall = try await RPCTestClient().post(
                            server.baseURL + "/",
                            body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/list"}"#,
                            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
                        )
                        #expect(serverCall.status == 401, "a namespace token is never a server credential")
                    }
                }
            }
            // The sequences exercise the rules: grants were both made and refused.
            #expect(log.contains { $0.hasSuffix("→ done") } && log.contains { $0.hasSuffix("→ denied") })
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func theAnonymousOwnerOfAnOpenNamespaceMintsNothingThatReachesBeyondIt() async throws {
        let server = try await TestServer.start()
        do {
            let open = try await server.createNamespace(authMode: .disabled, assistant: nil)
            let other = try await server.createNamespace(authMode: .required, assistant: nil)
            let root = TestEnvironment.uniqueName("root")
            _ = try await server.store.ensurePrincipal(Principal(id: root, isSuperadmin: true, createdAt: .now))
            let anonymous = PrivilegeTests.Seat(server: server, namespace: open, token: nil)
            var generator = SeededGenerator(seed: 7)
            for _ in 0..<30 {
                let principal = (Self.principalPool() + [root]).randomElement(using: &generator)!
                let role = Bool.random(using: &generator) ? Role.allCases.randomElement(using: &generator) : nil
                let reply = try await anonymous.call(
                    "_cleveragents/admin/tokens/create",
                    #"{"principal":"\#(principal)"\#(role.map { #","role":"\#($0.rawValue)""# } ?? "")}"#
                )
                guard principal != root else {
                    #expect(reply.errorCode == JSONRPCError.invalidParamsCode, "no token for the server principal")
                    continue
                }
                let token = try #require(try reply.result()["token"]?.stringValue)
                let serverCall = try await RPCTestClient().post(
                    server.baseURL + "/",
                    body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/list"}"#,
                    headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
                )
                #expect(serverCall.status == 401)
                let elsewhere = try await PrivilegeTests.Seat(server: server, namespace: other, token: token).call("ListTasks")
                #expect(elsewhere.status == 401)
            }
            #expect(try await server.store.namespaces(usingPrincipal: root).isEmpty)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}

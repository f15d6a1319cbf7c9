//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The privilege invariants of a namespace, in one place: no grant gives anyone more power in
/// the namespace than its granter holds, and nothing granted in a namespace reaches beyond it.
///
/// - A role binding (of a principal or of a team) is set, changed or deleted only by a caller
///   whose own role is at least both the binding's old and its new role: admins manage viewers,
///   members and admins; only owners grant or take away `owner`.
/// - Team membership hands out the team's role: adding or removing a member, or deleting the
///   team, needs at least the role the team is bound to.
/// - A token acts as its principal: minting one needs at least the principal's role (after the
///   mint's own grant), and the token never carries more than its minter's role
///   (``APITokenRecord/maxRole``), whatever the principal is given later.
/// - Revoking a token needs at least the power the token carries; one's own tokens excepted.
/// - Server power is never granted in a namespace: a namespace token never carries it, and a
///   namespace can neither mint tokens for nor bind roles to a server principal (a superadmin).
///
/// `docs/security.md` states these rules; the privilege model test checks them against a
/// running server.
public enum GrantRules {
    /// The highest role the caller may hold out to others in its namespace: its own role, or
    /// `owner` for a superadmin; `nil` for a caller without a role.
    public static func ceiling(of caller: Caller) -> NamespaceRole? {
        caller.isSuperadmin ? .owner : caller.role
    }

    /// Whether `role` is within what the caller holds (no role is always within it).
    public static func isWithinReach(_ role: NamespaceRole?, of caller: Caller) -> Bool {
        guard let role else { return true }
        guard let ceiling = ceiling(of: caller) else { return false }
        return role <= ceiling
    }

    /// Whether the caller may change a binding from `old` to `new` (`nil`: no binding).
    public static func mayChangeBinding(from old: NamespaceRole?, to new: NamespaceRole?, by caller: Caller) -> Bool {
        isWithinReach(old, of: caller) && isWithinReach(new, of: caller)
    }

    /// Whether the caller may add or remove members of a team bound to `teamRole`, or delete it.
    public static func mayChangeMembers(ofTeamBoundTo teamRole: NamespaceRole?, by caller: Caller) -> Bool {
        isWithinReach(teamRole, of: caller)
    }

    /// Whether the caller may mint a token for a principal that holds `principalRole` in the
    /// namespace once the mint's own grant (if any) is made.
    public static func mayMintToken(forPrincipalWith principalRole: NamespaceRole?, by caller: Caller) -> Bool {
        isWithinReach(principalRole, of: caller)
    }

    /// The ``APITokenRecord/maxRole`` of a token the caller mints: its own role. Superadmins
    /// (and the command line) mint uncapped tokens; the token still holds only its principal's
    /// role in its namespace.
    public static func tokenCap(mintedBy caller: Caller) -> NamespaceRole? {
        caller.isSuperadmin ? nil : caller.role
    }

    /// Whether the caller may revoke a token of `principal` that carries `power` in the namespace.
    public static func mayRevoke(tokenOf principal: String, carrying power: NamespaceRole?, by caller: Caller) -> Bool {
        principal == caller.principalID || isWithinReach(power, of: caller)
    }

    /// Why a grant was refused, for the caller: names the role it would have needed.
    public static func refusal(needing role: NamespaceRole) -> String {
        "this changes who holds the role '\(role.rawValue)'; only a caller with that role or higher may do it"
    }
}

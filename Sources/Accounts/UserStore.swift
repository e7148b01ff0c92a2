/// Where accounts live: one small protocol for the user aggregate.
///
/// Implementations validate nothing beyond uniqueness: names are already valid ``UserName``s.
public protocol UserStore: Sendable {
    /// Looks a user up by name.
    ///
    /// - Parameter name: The login name.
    /// - Returns: The user, or `nil` when there is none by that name.
    /// - Throws: Store failures only; a missing user is not an error here.
    func user(named name: UserName) async throws -> User?

    /// Lists every user, ordered by name.
    ///
    /// - Returns: All users.
    /// - Throws: Store failures.
    func users() async throws -> [User]

    /// Adds a new user.
    ///
    /// - Parameter user: The user to add.
    /// - Throws: ``AccountsError/Code/userExists`` when a user by that name already exists.
    func create(_ user: User) async throws

    /// Replaces an existing user (matched by name).
    ///
    /// - Parameter user: The new value of the user.
    /// - Throws: ``AccountsError/Code/userNotFound`` when no user by that name exists.
    func update(_ user: User) async throws

    /// Removes a user.
    ///
    /// - Parameter name: The login name.
    /// - Throws: ``AccountsError/Code/userNotFound`` when no user by that name exists.
    func delete(named name: UserName) async throws
}

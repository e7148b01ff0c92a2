/// A ``UserStore`` held in memory: for tests, and for users given on the command line or in the environment.
public actor InMemoryUserStore: UserStore {
    private var usersByName: [UserName: User]

    /// Creates a store.
    ///
    /// - Parameter users: The initial users.
    /// - Throws: ``AccountsError/Code/userExists`` when two of them share a name.
    public init(_ users: [User] = []) throws(AccountsError) {
        var byName: [UserName: User] = [:]
        for user in users {
            guard byName.updateValue(user, forKey: user.name) == nil else {
                throw AccountsError(.userExists, "user '\(user.name)' is listed more than once")
            }
        }
        self.usersByName = byName
    }

    /// Looks a user up by name; `nil` when there is none.
    public func user(named name: UserName) -> User? {
        self.usersByName[name]
    }

    /// Every user, ordered by name.
    public func users() -> [User] {
        self.usersByName.values.sorted { $0.name < $1.name }
    }

    /// Adds a user; throws ``AccountsError/Code/userExists`` when the name is taken.
    public func create(_ user: User) throws(AccountsError) {
        guard self.usersByName[user.name] == nil else {
            throw AccountsError(.userExists, "user '\(user.name)' already exists")
        }
        self.usersByName[user.name] = user
    }

    /// Replaces a user; throws ``AccountsError/Code/userNotFound`` when there is none by that name.
    public func update(_ user: User) throws(AccountsError) {
        guard self.usersByName[user.name] != nil else {
            throw AccountsError(.userNotFound, "no user '\(user.name)'")
        }
        self.usersByName[user.name] = user
    }

    /// Removes a user; throws ``AccountsError/Code/userNotFound`` when there is none by that name.
    public func delete(named name: UserName) throws(AccountsError) {
        guard self.usersByName.removeValue(forKey: name) != nil else {
            throw AccountsError(.userNotFound, "no user '\(name)'")
        }
    }
}

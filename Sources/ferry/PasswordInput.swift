import Accounts

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a new password comes from: standard input, or the terminal with echo off. Never the command line.
enum PasswordInput {
    /// Reads a new password and returns its yescrypt hash.
    ///
    /// - Parameters:
    ///   - fromStandardInput: Read the first line of standard input instead of prompting.
    ///   - user: Whose password it is, for the prompt.
    static func newPasswordHash(fromStandardInput: Bool, user: UserName) throws -> String {
        let password: String
        if fromStandardInput {
            guard let line = Secrets.readLineFromStandardInput() else {
                throw CommandFailure("no password on standard input")
            }
            password = line
        } else {
            try Self.requireTerminal()
            guard let first = Secrets.prompt("New password for \(user): "),
                let second = Secrets.prompt("Retype the password: ")
            else {
                throw CommandFailure("cannot prompt for a password: no terminal")
            }
            guard Secrets.constantTimeEqual(first, second) else {
                throw CommandFailure("the passwords do not match")
            }
            password = first
        }
        guard !password.isEmpty else {
            throw CommandFailure("the password is empty (use --no-password for an account without one)")
        }
        return try PasswordHasher.hash(password)
    }

    /// Fails unless standard input is a terminal to prompt on.
    static func requireTerminal() throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure(
                "standard input is not a terminal: give --password-stdin to read the password from it, "
                    + "or --no-password"
            )
        }
    }
}

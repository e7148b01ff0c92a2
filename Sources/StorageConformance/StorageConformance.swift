import FerryCore
import Storage

/// The checks every storage backend runs: the required primitives, each capability (skipped when the backend
/// lacks it) and the edge cases that tell backends apart.
///
/// A backend's tests run the whole list in a few lines:
///
/// ```swift
/// @Test(arguments: StorageConformance.checks)
/// func conformance(_ check: StorageConformance.Check) async throws {
///     try await check.run { MemoryStorage() }
/// }
/// ```
///
/// Checks never depend on a test framework: a violation throws ``ConformanceFailure``.
public enum StorageConformance {
    /// Every check, in a stable order.
    public static let checks: [Check] =
        basicChecks + atomicityChecks + directoryChecks + nameChecks + randomAccessChecks + moveChecks
        + copyChecks + symlinkChecks + hardLinkChecks + attributeChecks + objectStoreChecks

    /// One named check.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check verifies, unique in ``StorageConformance/checks``.
        public let name: String
        /// Whether the check needs the backend to follow symbolic links that stay inside its root. A backend
        /// configured to refuse every symbolic link leaves these out.
        public let followsSymlinks: Bool
        let body: @Sendable (any Storage) async throws -> Void

        init(
            _ name: String,
            followsSymlinks: Bool = false,
            _ body: @escaping @Sendable (any Storage) async throws -> Void
        ) {
            self.name = name
            self.followsSymlinks = followsSymlinks
            self.body = body
        }

        public var description: String { self.name }

        /// Runs the check against a fresh backend.
        ///
        /// - Parameter makeStorage: Makes the empty backend to check; called once.
        /// - Returns: ``Outcome/passed``, or ``Outcome/skipped(_:)`` when the backend lacks the capability
        ///   the check is about.
        /// - Throws: ``ConformanceFailure`` when the backend violates the contract, or what `makeStorage` threw.
        @discardableResult
        public func run(_ makeStorage: () async throws -> any Storage) async throws -> Outcome {
            let storage = try await makeStorage()
            do {
                try await self.body(storage)
                return .passed
            } catch let skip as SkipCheck {
                return .skipped(skip.reason)
            } catch var failure as ConformanceFailure {
                failure.check = self.name
                throw failure
            } catch {
                throw ConformanceFailure(check: self.name, message: "unexpected error: \(error)")
            }
        }
    }

    /// How a check ended without a violation.
    public enum Outcome: Sendable, Hashable {
        /// Every expectation held.
        case passed
        /// The backend lacks what the check is about; the reason says what.
        case skipped(String)
    }
}

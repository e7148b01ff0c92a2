import FerryCore

extension VFSError {
    /// Translates a storage or path error into the VFS's terms; the one place where ``FerryError`` codes meet
    /// ``VFSError`` codes.
    ///
    /// - Parameter error: The error a backend or a path parser threw.
    public init(_ error: FerryError) {
        let code: Code
        switch error.code {
        case .notFound: code = .noSuchFile
        case .alreadyExists: code = .alreadyExists
        case .notADirectory: code = .notADirectory
        case .isADirectory: code = .isADirectory
        case .directoryNotEmpty: code = .directoryNotEmpty
        case .permissionDenied, .readOnly: code = .permissionDenied
        case .invalidPath, .nameTooLong, .invalidArgument: code = .invalidArgument
        case .noSpace: code = .noSpace
        case .quotaExceeded: code = .quotaExceeded
        case .unsupported, .crossDevice: code = .unsupported
        default: code = .failure
        }
        self.init(code, error.message)
    }

    /// Converts any error into a ``VFSError``: VFS errors pass through, ``FerryError`` values are translated and
    /// anything else becomes ``Code/failure``.
    ///
    /// - Parameter error: Any error.
    /// - Returns: The equivalent VFS error.
    public static func converting(_ error: any Error) -> VFSError {
        if let error = error as? VFSError { return error }
        if let error = error as? FerryError { return VFSError(error) }
        return VFSError(.failure, "\(error)")
    }
}

/// Runs a storage call and rethrows whatever it throws as a ``VFSError``.
func translatingErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch {
        throw VFSError.converting(error)
    }
}

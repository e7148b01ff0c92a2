#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore

extension LocalStorage {
    /// How often `openat2` is retried when the kernel reports a concurrent rename it could not rule out.
    private static let resolutionRetries = 16

    /// Opens the entry named by `names` beneath the root, refusing names reserved for uploads in progress.
    /// Blocking; call on the thread pool.
    ///
    /// - Parameters:
    ///   - names: Components below the root (empty for the root itself).
    ///   - flags: `open` flags; `O_CLOEXEC` is added, and `O_NOFOLLOW` unless `followFinal`.
    ///   - mode: The mode for `O_CREAT`.
    ///   - followFinal: Whether a final symbolic link may be followed (always beneath the root; never by the
    ///     component walk).
    ///   - path: The path named, for error messages.
    /// - Returns: The new descriptor; the caller closes it.
    func openBeneath(
        _ names: some BidirectionalCollection<String>,
        flags: CInt,
        mode: mode_t = 0,
        followFinal: Bool,
        path: FerryPath
    ) throws -> CInt {
        if names.contains(where: TemporaryName.matches) {
            throw FerryError(.invalidPath, "\(path): names of this form are reserved for uploads in progress")
        }
        switch self.resolution {
        case .openat2, .automatic:
            return try self.openWithKernelResolution(names, flags: flags, mode: mode, followFinal: followFinal, path)
        case .componentWalk:
            return try self.openByWalking(names, flags: flags, mode: mode, followFinal: followFinal, path)
        }
    }

    private func openWithKernelResolution(
        _ names: some BidirectionalCollection<String>,
        flags: CInt,
        mode: mode_t,
        followFinal: Bool,
        _ path: FerryPath
    ) throws -> CInt {
        let relative = names.isEmpty ? "." : names.joined(separator: "/")
        let allFlags = flags | O_CLOEXEC | (followFinal ? 0 : O_NOFOLLOW)
        var how = OpenHow(
            flags: UInt64(UInt32(bitPattern: allFlags)),
            mode: allFlags & O_CREAT != 0 ? UInt64(mode) : 0,
            resolve: resolveBeneath | resolveNoMagicLinks
        )
        var attempt = 0
        while true {
            let descriptor = LinuxSystemCalls.openat2(self.root.raw, relative, &how)
            if descriptor >= 0 {
                return descriptor
            }
            let number = errno
            attempt += 1
            if (number == EAGAIN || number == EINTR) && attempt < Self.resolutionRetries {
                continue
            }
            throw Self.error(number, .resolve, path)
        }
    }

    private func openByWalking(
        _ names: some BidirectionalCollection<String>,
        flags: CInt,
        mode: mode_t,
        followFinal: Bool,
        _ path: FerryPath
    ) throws -> CInt {
        var current = self.root.raw
        var ownsCurrent = false
        defer {
            if ownsCurrent { close(current) }
        }
        for name in names.dropLast() {
            let next = openat(current, name, openPathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                throw Self.error(Self.refinedErrno(errno, current, name), .resolve, path)
            }
            if ownsCurrent { close(current) }
            current = next
            ownsCurrent = true
        }
        let last = names.last ?? "."
        let descriptor = openat(current, last, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw Self.error(Self.refinedErrno(errno, current, last), .resolve, path)
        }
        // `O_PATH | O_NOFOLLOW` opens a final symbolic link itself; a caller that wanted it followed must not
        // get the link instead.
        var info = stat()
        if followFinal && flags & openPathOnly != 0 && fstat(descriptor, &info) == 0
            && info.st_mode & S_IFMT == S_IFLNK
        {
            close(descriptor)
            throw Self.error(ELOOP, .resolve, path)
        }
        return descriptor
    }

    /// `O_NOFOLLOW | O_DIRECTORY` reports a symbolic link as `ENOTDIR`; report it as the refused link it is.
    private static func refinedErrno(_ number: CInt, _ directory: CInt, _ name: String) -> CInt {
        guard number == ENOTDIR else { return number }
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return number }
        return info.st_mode & S_IFMT == S_IFLNK ? ELOOP : number
    }

    /// Opens the directory that holds `path`'s entry. Blocking; call on the thread pool.
    ///
    /// For the root, the directory is the root and the name is `.`. A name reserved for temporary uploads is
    /// refused, so clients cannot reach uploads in progress.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - flags: How to open the directory (`O_PATH` by default; `O_RDONLY` where it must be synced).
    /// - Returns: The directory descriptor (the caller closes it) and the entry's name in it.
    func openParent(of path: FerryPath, flags: CInt = openPathOnly) throws -> (directory: CInt, name: String) {
        let name = path.name ?? "."
        if TemporaryName.matches(name) {
            throw FerryError(.invalidPath, "\(path): names of this form are reserved for uploads in progress")
        }
        let directory = try self.openBeneath(
            path.components.dropLast(),
            flags: flags | O_DIRECTORY,
            followFinal: true,
            path: path
        )
        return (directory, name)
    }
}
#endif

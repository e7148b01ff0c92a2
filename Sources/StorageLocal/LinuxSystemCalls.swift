#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Flags and calls the C library headers keep behind _GNU_SOURCE or do not wrap at all. The values are the
// asm-generic ones, shared by x86_64, aarch64 and riscv64.

/// `O_PATH`: a descriptor that only names an entry, usable as the directory of `*at` calls.
let openPathOnly: CInt = 0o10_000_000
/// `AT_EMPTY_PATH`.
let atEmptyPath: CInt = 0x1000
/// `UTIME_OMIT`: leave this timestamp as it is.
let utimeOmit = 0x3FFF_FFFE
/// `RENAME_NOREPLACE`: fail with `EEXIST` instead of replacing the destination.
let renameNoReplace: CUnsignedInt = 1
/// `RESOLVE_NO_MAGICLINKS`: refuse `/proc/…/fd`-style links during resolution.
let resolveNoMagicLinks: UInt64 = 0x02
/// `RESOLVE_BENEATH`: refuse any resolution (`..`, absolute symbolic link) that leaves the starting directory.
let resolveBeneath: UInt64 = 0x08
/// `SYS_openat2`: one number on every architecture (Linux 5.6).
let systemCallOpenat2: CLong = 437

/// `struct open_how` from `linux/openat2.h`.
struct OpenHow {
    var flags: UInt64
    var mode: UInt64
    var resolve: UInt64
}

/// Calls the C library looks up at run time because Swift cannot import them (`syscall` is variadic) or the
/// headers hide them.
enum LinuxSystemCalls {
    private typealias SyscallFunction = @convention(c) (CLong, CLong, CLong, CLong, CLong) -> CLong
    private typealias Renameat2Function =
        @convention(c) (CInt, UnsafePointer<CChar>, CInt, UnsafePointer<CChar>, CUnsignedInt) -> CInt

    private struct Symbols: @unchecked Sendable {
        let syscall: SyscallFunction?
        let renameat2: Renameat2Function?
    }

    private static let symbols: Symbols = {
        let program = dlopen(nil, RTLD_NOW)
        // `syscall` is variadic; calling it through a fixed five-argument type is sound on Linux's x86_64 and
        // aarch64 ABIs, where variadic integer arguments travel in the same registers as fixed ones and the C
        // library's `syscall` only moves registers.
        let syscall = dlsym(program, "syscall").map { unsafeBitCast($0, to: SyscallFunction.self) }
        let renameat2 = dlsym(program, "renameat2").map { unsafeBitCast($0, to: Renameat2Function.self) }
        return Symbols(syscall: syscall, renameat2: renameat2)
    }()

    /// Whether `openat2` can be attempted at all.
    static var hasOpenat2: Bool { self.symbols.syscall != nil }

    /// `openat2(2)`; returns the descriptor or -1 with `errno` set.
    static func openat2(_ directory: CInt, _ path: String, _ how: inout OpenHow) -> CInt {
        guard let syscall = self.symbols.syscall else {
            errno = ENOSYS
            return -1
        }
        let result = path.withCString { name in
            withUnsafeMutablePointer(to: &how) { how in
                syscall(
                    systemCallOpenat2,
                    CLong(directory),
                    CLong(Int(bitPattern: name)),
                    CLong(Int(bitPattern: how)),
                    CLong(MemoryLayout<OpenHow>.size)
                )
            }
        }
        return CInt(truncatingIfNeeded: result)
    }

    /// `renameat2(2)`; returns 0 or -1 with `errno` set (`ENOSYS` if the C library lacks it).
    static func renameat2(_ from: CInt, _ old: String, _ to: CInt, _ new: String, _ flags: CUnsignedInt) -> CInt {
        guard let renameat2 = self.symbols.renameat2 else {
            errno = ENOSYS
            return -1
        }
        return renameat2(from, old, to, new, flags)
    }
}
#endif

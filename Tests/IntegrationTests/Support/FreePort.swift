// TCP ports on 127.0.0.1 for test servers.
//
// `FreePort.allocate()` binds 127.0.0.1:0, reads the port the kernel picked and closes the socket; it
// never hands out the same port twice in one test run. Another process can still take the port before
// the server binds it: servers that can report the port they bound (the Python peers print
// "READY <port>" for `--port 0`) avoid that race; `PrivateSSHD` retries on a fresh port.
// `FreePort.isAccepting(_:)` / `waitUntilAccepting(_:timeout:while:)` probe a port with connect().

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FreePort {
    /// A currently unused TCP port on 127.0.0.1.
    static func allocate() -> Int {
        for _ in 0..<100 {
            if let port = bindEphemeral(), handedOut.claim(port) {
                return port
            }
        }
        fatalError("FreePort: could not find a free TCP port on 127.0.0.1")
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func isAccepting(_ port: Int) -> Bool {
        let fd = socket(AF_INET, streamSocketType, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// Polls until 127.0.0.1:`port` accepts connections (true), `condition` becomes false or
    /// `timeout` passes (false).
    static func waitUntilAccepting(
        _ port: Int,
        timeout: Duration = .seconds(10),
        while condition: () -> Bool = { true }
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isAccepting(port) { return true }
            if !condition() { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return isAccepting(port)
    }

    private static func bindEphemeral() -> Int? {
        let fd = socket(AF_INET, streamSocketType, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static let handedOut = HandedOutPorts()
}

private final class HandedOutPorts: @unchecked Sendable {
    private let lock = NSLock()
    private var ports: Set<Int> = []

    func claim(_ port: Int) -> Bool {
        lock.withLock { ports.insert(port).inserted }
    }
}

#if canImport(Glibc)
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
#else
private let streamSocketType = SOCK_STREAM
#endif

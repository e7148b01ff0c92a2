import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

#if !FERRY_LIBFUZZER
import Foundation
#endif

/// The property every input must satisfy: an SSH engine fed arbitrary bytes from the network never crashes,
/// hangs or throws anything but ``SSHError``, and is closed after any error. The first byte picks the role
/// (even: server, odd: client); the rest is what the peer sends, identification line included.
enum ConnectionProperty {
    /// The server's host key, made once: key generation is not what is being fuzzed.
    static let hostKey = try! SSHPrivateKey.generate(.ed25519)

    /// Accepts every login and channel, so fuzzed input can reach the connection protocol.
    final class PermissiveDelegate: SSHConnectionEngineDelegate {
        func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey) {
            try? engine.completeHostKeyVerification(accepted: true)
        }
        func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest) {
            try? engine.completeAuthentication(.success)
        }
        func engine(_ engine: SSHConnectionEngine, shouldAcceptChannel channel: UInt32, type: String) -> Bool { true }
        func engine(
            _ engine: SSHConnectionEngine,
            channel: UInt32,
            request: SSHMessage.ChannelRequest.RequestType,
            wantReply: Bool
        ) -> Bool { true }
        func engine(_ engine: SSHConnectionEngine, channel: UInt32, received data: ByteBuffer, extendedType: UInt32?) {
            engine.write(data, channel: channel)
        }
    }

    /// - Returns: a description of the violation, or `nil` when the engine behaved.
    static func violation(_ bytes: ByteBuffer) -> String? {
        var input = bytes
        guard let selector = input.readInteger(as: UInt8.self) else { return nil }
        let role: SSHRole = selector & 1 == 0 ? .server : .client
        let delegate = PermissiveDelegate()
        let engine: SSHConnectionEngine
        do {
            engine = try SSHConnectionEngine(
                configuration: SSHConnectionConfiguration(role: role, hostKeys: role == .server ? [Self.hostKey] : []),
                clientUsername: "fuzz",
                clientAuthentication: [.password("fuzz")]
            )
        } catch {
            return "engine could not be made: \(error)"
        }
        engine.delegate = delegate
        // Feed in a few pieces, as a socket would deliver them.
        var pieces = 0
        while input.readableBytes > 0 && pieces < 8 {
            var piece = input.readSlice(length: max(1, input.readableBytes / (8 - pieces)))!
            pieces += 1
            do {
                try engine.receive(&piece)
            } catch is SSHError {
                if !engine.isClosed { return "engine still open after an error" }
                return nil
            } catch {
                return "unexpected error type: \(error)"
            }
            _ = engine.takeOutput()
        }
        return nil
    }
}

#if FERRY_LIBFUZZER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let violation = ConnectionProperty.violation(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links executables with `--defsym main=<module>_main`; this starts libFuzzer in its place.
@_cdecl("FerryFuzzConnection_main")
public func fuzzMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
}

#else

/// Replays saved inputs (files, or the files directly inside directories) through the same check.
@main
enum FerryFuzzConnection {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty else {
            print("usage: FerryFuzzConnection FILE_OR_DIRECTORY...")
            exit(2)
        }
        var inputs = 0
        var failures = 0
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                print("FerryFuzzConnection: no such file \(path)")
                exit(2)
            }
            let files =
                isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                    .filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                inputs += 1
                if let violation = ConnectionProperty.violation(ByteBuffer(bytes: data)) {
                    failures += 1
                    print("FAIL \(file): \(violation)")
                }
            }
        }
        print("FerryFuzzConnection: \(inputs) inputs, \(failures) failures")
        exit(failures == 0 ? 0 : 1)
    }
}

#endif

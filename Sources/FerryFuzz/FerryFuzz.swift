import NIOCore
import SSHProtocol

#if !FERRY_LIBFUZZER
import Foundation
#endif

/// The property every input must satisfy: decoding either throws `SSHError(.protocolError)` or gives a
/// message that re-encodes to bytes which decode to the same message and encode to the same bytes again.
enum RoundTrip {
    /// Checks `bytes` as one packet payload.
    ///
    /// - Returns: a description of the violation, or `nil` when the input behaves.
    static func messageViolation(_ bytes: ByteBuffer) -> String? {
        var input = bytes
        let message: SSHMessage
        do {
            message = try input.readSSHMessage()
        } catch let error as SSHError {
            return error.code == .protocolError ? nil : "unexpected error code: \(error)"
        } catch {
            return "unexpected error type: \(error)"
        }
        let encoded = encode(message)
        var again = encoded
        let reparsed: SSHMessage
        do {
            reparsed = try again.readSSHMessage()
        } catch {
            return "re-encoded \(message.name) does not parse: \(error)"
        }
        if reparsed != message { return "\(message.name) changed in a round trip" }
        if again.readableBytes != 0 { return "re-encoded \(message.name) leaves \(again.readableBytes) bytes unread" }
        if encode(reparsed) != encoded { return "\(message.name) encodes differently after a round trip" }
        return nil
    }

    private static func encode(_ message: SSHMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeSSHMessage(message)
        return buffer
    }
}

#if FERRY_LIBFUZZER

/// libFuzzer's entry point: one input, which must satisfy ``RoundTrip``; a violation aborts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let violation = RoundTrip.messageViolation(bytes) {
        fatalError(violation)
    }
    return 0
}

/// libFuzzer's driver (compiler-rt, `FuzzerInterface.h`), declared here as the toolchain ships no module for it.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The process entry point when SwiftPM links this executable.
///
/// On ELF platforms SwiftPM links executables with `--defsym main=<module>_main`, which replaces libFuzzer's
/// own `main`; this function takes its place and starts the fuzzer. Built without SwiftPM, libFuzzer's `main`
/// is used and this function is never called.
@_cdecl("FerryFuzz_main")
public func fuzzMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
}

#else

/// Replays saved inputs (files, or every file in the directories given) through the same check as the
/// fuzzer, so the corpus and past crashes are regression tests.
@main
enum FerryFuzz {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty, !arguments.contains("-h"), !arguments.contains("--help") else {
            print("usage: FerryFuzz FILE_OR_DIRECTORY...")
            print("Replays fuzzer inputs through the SSH message decoder round-trip check.")
            exit(arguments.isEmpty ? 2 : 0)
        }
        var inputs = 0
        var failures = 0
        for path in arguments {
            let files: [String]
            do {
                files = try self.files(at: path)
            } catch {
                print("FerryFuzz: cannot read \(path): \(error)")
                exit(2)
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("FerryFuzz: cannot read \(file)")
                    exit(2)
                }
                inputs += 1
                if let violation = RoundTrip.messageViolation(ByteBuffer(bytes: data)) {
                    failures += 1
                    print("FAIL \(file): \(violation)")
                }
            }
        }
        print("FerryFuzz: \(inputs) inputs, \(failures) failures")
        exit(failures == 0 ? 0 : 1)
    }

    /// `path` itself, or the files directly inside it (sorted, hidden files and subdirectories skipped).
    private static func files(at path: String) throws -> [String] {
        switch self.isDirectory(path) {
        case nil: throw CocoaError(.fileNoSuchFile)
        case false: return [path]
        case true:
            return try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { !$0.hasPrefix(".") }
                .sorted()
                .map { path + "/" + $0 }
                .filter { self.isDirectory($0) == false }
        }
    }

    /// Whether `path` is a directory; `nil` when nothing is there.
    private static func isDirectory(_ path: String) -> Bool? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        return isDirectory.boolValue
    }
}

#endif

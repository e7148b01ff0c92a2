import FerryCore
import NIOCore
import Storage

/// Fails the check unless `condition` holds.
func expect(
    _ condition: Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) throws {
    if !condition {
        throw ConformanceFailure(message: message(), location: "\(file):\(line)")
    }
}

/// Fails the check unless `actual == expected`.
func expectEqual<Value: Equatable>(
    _ actual: Value,
    _ expected: Value,
    _ what: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) throws {
    if actual != expected {
        throw ConformanceFailure(
            message: "\(what()): expected \(expected), got \(actual)",
            location: "\(file):\(line)"
        )
    }
}

/// Fails the check unless `operation` throws a ``FerryError`` with `code`.
func expectError(
    _ code: FerryError.Code,
    _ what: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line,
    _ operation: () async throws -> Void
) async throws {
    do {
        try await operation()
    } catch let error as FerryError {
        if error.code != code {
            throw ConformanceFailure(
                message: "\(what()): expected \(code), got \(error)",
                location: "\(file):\(line)"
            )
        }
        return
    } catch {
        throw ConformanceFailure(
            message: "\(what()): expected FerryError \(code), got \(error)",
            location: "\(file):\(line)"
        )
    }
    throw ConformanceFailure(message: "\(what()): expected \(code), but it succeeded", location: "\(file):\(line)")
}

/// Fails the check unless `operation` throws (anything).
func expectFailure(
    _ what: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line,
    _ operation: () async throws -> Void
) async throws {
    do {
        try await operation()
    } catch {
        return
    }
    throw ConformanceFailure(message: "\(what()): expected an error, but it succeeded", location: "\(file):\(line)")
}

/// Returns the backend as `Capability`, or skips the check.
func capability<Capability>(_ storage: any Storage, _ type: Capability.Type) throws -> Capability {
    guard let refined = storage as? Capability else {
        throw SkipCheck(reason: "the backend does not conform to \(Capability.self)")
    }
    return refined
}

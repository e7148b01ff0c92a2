import FerryCore
import Testing

@Suite("FerryError and attributes")
struct FerryErrorTests {
    @Test func errorDescriptionAndCodes() {
        let error = FerryError(.notFound, "no such file: /a", underlyingErrno: 2)
        #expect(error.code == .notFound)
        #expect(error.code != .alreadyExists)
        #expect(error.description == "notFound: no such file: /a (errno 2)")
        #expect(FerryError(.ioError, "disk").description == "ioError: disk")
    }

    @Test func permissionsAndTimestamps() {
        #expect(FilePermissions(rawValue: 0o100644).rawValue == 0o644)
        #expect(FilePermissions(rawValue: 0o4755).description == "4755")
        #expect((0o7 as FilePermissions).description == "0007")
        #expect(FileTimestamp(seconds: 1, nanoseconds: 5) < FileTimestamp(seconds: 1, nanoseconds: 6))
        #expect(FileTimestamp(seconds: 1, nanoseconds: 999_999_999) < FileTimestamp(seconds: 2))
        #expect(FileTimestamp(seconds: 3, nanoseconds: 40).description == "3.000000040")
        #expect(FileTimestamp.now().seconds > 1_700_000_000)
    }
}

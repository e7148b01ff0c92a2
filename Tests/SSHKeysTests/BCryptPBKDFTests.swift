import Foundation
import Testing

@testable import SSHKeys

@Suite struct BCryptPBKDFTests {
    /// The vectors of OpenBSD's bcrypt_pbkdf regression test (password, salt, rounds, key).
    static let vectors: [(password: [UInt8], salt: [UInt8], rounds: Int, key: String)] = [
        (
            Array("password".utf8), Array("salt".utf8), 4,
            "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"
        ),
        (Array("password".utf8), [0], 4, "c12b566235eee04c212598970a579a67"),
        ([0], Array("salt".utf8), 4, "6051be18c2f4f82cbf0efee5471b4bb9"),
        (
            Array("password\0".utf8), Array("salt\0".utf8), 4,
            "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"
        ),
        (Array("pass\0wor".utf8), Array("sa\0l".utf8), 4, "c2bffd9db38f6569efef4372f4de83c0"),
        (Array("pass\0word".utf8), Array("sa\0lt".utf8), 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f"),
        (
            Array("password".utf8), Array("salt".utf8), 8,
            "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7"
                + "6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d"
        ),
        (Array("password".utf8), Array("salt".utf8), 42, "833cf0dcf56db65608e8f0dc0ce882bd"),
        (
            Array(
                ("Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut "
                    + "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
                    + "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
                    + "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat "
                    + "non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.").utf8
            ),
            Array("salis\0".utf8), 8, "10978b07253df57f71a162eb0e8ad30a"
        ),
    ]

    @Test(arguments: 0..<9)
    func openBSDVector(_ index: Int) throws {
        let vector = Self.vectors[index]
        let key = try BCryptPBKDF.deriveKey(
            password: vector.password,
            salt: vector.salt,
            rounds: vector.rounds,
            keyLength: vector.key.count / 2
        )
        #expect(hexString(key) == vector.key)
    }

    @Test func openSSHDefaultCostIsQuick() throws {
        let start = ContinuousClock.now
        let key = try BCryptPBKDF.deriveKey(
            password: Array("correct horse".utf8),
            salt: Array(repeating: 7, count: 16),
            rounds: 16,
            keyLength: 48
        )
        let elapsed = ContinuousClock.now - start
        #expect(key.count == 48)
        #expect(elapsed < .seconds(5), "16 rounds took \(elapsed)")
    }

    @Test func rejectsBadParameters() {
        #expect(throws: (any Error).self) {
            try BCryptPBKDF.deriveKey(password: [1], salt: [], rounds: 16, keyLength: 32)
        }
        #expect(throws: (any Error).self) {
            try BCryptPBKDF.deriveKey(password: [1], salt: [1], rounds: 0, keyLength: 32)
        }
        #expect(throws: (any Error).self) {
            try BCryptPBKDF.deriveKey(password: [1], salt: [1], rounds: 1, keyLength: 1025)
        }
    }
}

import Foundation
import NIOPosix
import Testing

@testable import Accounts

@Suite("PasswordHasher")
struct PasswordHasherTests {
    /// Hashes of "correct horse" made by Debian's `mkpasswd` (libxcrypt) and python's `crypt`.
    static let systemHashes: [String] = [
        "$y$j9T$UuzqDCLc.hEr.KKUxEJ/c.$yxHCUZ5WavLc.Fhuf9svGASCCq6hN1SwCOdYpt8ZC21",
        "$y$jBT$ttGUp4OnbHShk8W2OoX8j0$V0OoCMJExvgtY1jwTkT9q0Zu9p2nXigzEJ5lcY0E.k0",
        "$6$mVx5sJFgeMLiuZRL$xl9kBJ/lQbERCezng/m3Fy/MlXu7.T5PeSQifpW6cHhixACqF.Hb4rPMMXNu4iHohcBbFq4R8OHTAz1clYry5.",
        "$6$rounds=1000$R8OYUDf8NAa9C9mu$6pSXYiDOZJajs1bfF2v7PnXfn5iyowqPBW59e7hWT1AJExXIdwp8ZGJe77"
            + "KdoC2TcEgTIrPM5KJOyt5A.aT7g1",
        "$5$nmcERj8f2LuQgyUA$OvueVG2mYorJX75xLRkLq1WbX7kAOWoXjK9weVs70a2",
        "$2b$05$byqhFYRVswc7RkW2DjB/5uxa6jWWVudTmCeJ63XFynIegM.iSWw.y",
        "$2a$05$y4AsEvoWjyJiaEFfgVdaI.KSaxrW9EeIleqMjYNhTbA5cCmh8N0Vm",
        "$2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
    ]

    @Test("a new hash is yescrypt and verifies")
    func roundTrip() throws {
        let hash = try PasswordHasher.hash("s3cret!")
        #expect(hash.hasPrefix("$y$"))
        #expect(CryptHashScheme(hash: hash) == .yescrypt)
        #expect(PasswordHasher.verify("s3cret!", against: hash))
        #expect(!PasswordHasher.verify("s3cret", against: hash))
        #expect(!PasswordHasher.verify("", against: hash))
    }

    @Test("every hash gets a fresh salt")
    func freshSalt() throws {
        let first = try PasswordHasher.hash("same")
        let second = try PasswordHasher.hash("same")
        #expect(first != second)
        #expect(PasswordHasher.verify("same", against: first))
        #expect(PasswordHasher.verify("same", against: second))
    }

    @Test("non-ASCII and empty passwords hash and verify")
    func unusualPasswords() throws {
        for password in ["pässwörd ✓", "", String(repeating: "x", count: 511)] {
            let hash = try PasswordHasher.hash(password)
            #expect(PasswordHasher.verify(password, against: hash))
        }
        let bcrypt = "$2b$05$ymntWHnaiZsCcB/5dywWPuvOHNsPM9J5cjLnDdi1mu34kSwwjNbW."
        #expect(PasswordHasher.verify("pässwörd ✓", against: bcrypt))
    }

    @Test("passwords with NUL or over 511 bytes are refused")
    func refusedPasswords() throws {
        #expect(throws: AccountsError.self) { try PasswordHasher.hash("a\u{0}b") }
        #expect(throws: AccountsError.self) { try PasswordHasher.hash(String(repeating: "x", count: 512)) }
        let hash = try PasswordHasher.hash("a")
        #expect(!PasswordHasher.verify("a\u{0}b", against: hash))
    }

    @Test("hashes made by the system verify", arguments: systemHashes)
    func systemHash(_ hash: String) {
        #expect(PasswordHasher.isSupportedHash(hash))
        #expect(PasswordHasher.verify("correct horse", against: hash))
        #expect(!PasswordHasher.verify("correct horse ", against: hash))
        #expect(!PasswordHasher.verify("Correct horse", against: hash))
    }

    @Test(
        "empty, locked, malformed and legacy hashes are refused",
        arguments: [
            "", "*", "!", "!!", "*LK*", "x",
            "!$y$j9T$UuzqDCLc.hEr.KKUxEJ/c.$yxHCUZ5WavLc.Fhuf9svGASCCq6hN1SwCOdYpt8ZC21",
            "$1$fE3XjAWA$O3ieY6mjy9JlbAJo/OaxU1",
            "vr93XgDv11aT6",
            "_J9..abcdAbCdEfGhIjK",
            "$md5$abc$def",
            "$3$$8846f7eaee8fb117ad06bdd830b7586c",
            "$y$", "$6$", "$6$saltonly", "$2b$", "$2b$05$", "$5$$",
            "$y$j9T$UuzqDCLc.hEr.KKUxEJ/c.$yxHCUZ5WavLc.Fhuf9svGASCCq6hN1SwCOdYpt8ZC2",
            "$y$j9T$UuzqDCLc.hEr.KKUxEJ/c.$yxHCUZ5WavLc.Fhuf9svGASCCq6hN1SwCOdYpt8ZC21x",
            systemHashes[2] + "\n",
            "$2b$99$byqhFYRVswc7RkW2DjB/5uxa6jWWVudTmCeJ63XFynIegM.iSWw.y",
            "$y$j9T$Uuzq DCLc$x",
            "$6$" + String(repeating: "a", count: 300) + "$x",
        ]
    )
    func refusedHash(_ hash: String) {
        #expect(!PasswordHasher.verify("correct horse", against: hash))
        #expect(!PasswordHasher.verify("", against: hash))
    }

    @Test("the async variants run on the thread pool")
    func asyncVariants() async throws {
        let hasher = PasswordHasher()
        let hash = try await hasher.hash("pool")
        #expect(hash.hasPrefix("$y$"))
        #expect(await hasher.verify("pool", against: hash))
        #expect(!(await hasher.verify("pool!", against: hash)))
        #expect(!(await hasher.verify("pool", against: "*")))
        let results = await withTaskGroup(of: Bool.self) { group in
            for hash in Self.systemHashes {
                group.addTask { await hasher.verify("correct horse", against: hash) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: Self.systemHashes.count))
    }

    @Test("a check without a hash costs as much as a real one and fails")
    func verifyWithoutHash() async throws {
        #expect(!PasswordHasher.verifyWithoutHash("anything"))
        #expect(!(await PasswordHasher().verifyWithoutHash("anything")))
        let clock = ContinuousClock()
        let real = try PasswordHasher.hash("x")
        // The fastest of a few runs each, so that other work on the machine does not skew the comparison.
        let realTime = (0..<3).map { _ in clock.measure { _ = PasswordHasher.verify("y", against: real) } }.min()!
        let decoyTime = (0..<3).map { _ in clock.measure { _ = PasswordHasher.verifyWithoutHash("y") } }.min()!
        // Same scheme and cost: within a factor of four of each other.
        #expect(decoyTime * 4 > realTime && realTime * 4 > decoyTime, "\(decoyTime) vs \(realTime)")
    }

    @Test("a stopped thread pool fails closed")
    func stoppedPool() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let hasher = PasswordHasher(threadPool: pool)
        let hash = try await hasher.hash("p")
        #expect(await hasher.verify("p", against: hash))
        try await pool.shutdownGracefully()
        #expect(!(await hasher.verify("p", against: hash)))
        await #expect(throws: (any Error).self) { try await hasher.hash("p") }
    }

    @Test("hashes made by mkpasswd now verify, when mkpasswd is installed")
    func liveMkpasswd() throws {
        let path = "/usr/bin/mkpasswd"
        guard FileManager.default.isExecutableFile(atPath: path) else { return }
        for method in ["yescrypt", "sha512crypt", "sha256crypt", "bcrypt"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["-m", method, "--stdin"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data("live one".utf8))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let hash = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(PasswordHasher.verify("live one", against: hash), "\(method)")
            #expect(!PasswordHasher.verify("live two", against: hash), "\(method)")
        }
    }

    @Test("the comparison of hashes is constant-time over equal lengths")
    func constantTimeComparison() {
        #expect(ConstantTimeComparison.equals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTimeComparison.equals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTimeComparison.equals(Array("abc".utf8), Array("ab".utf8)))
        #expect(ConstantTimeComparison.equals([UInt8](), [UInt8]()))
        #expect(!ConstantTimeComparison.equals([0x80], [0x00]))
    }
}

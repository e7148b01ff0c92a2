import NIOCore
import SSHProtocol
import Testing

// Fields shared by the requests below: user "alice", service "ssh-connection".
private let aliceConnection = "00000005 616c696365  0000000e 7373682d636f6e6e656374696f6e"

private func request(_ method: SSHMessage.UserAuthRequest.Method) -> SSHMessage {
    .userAuthRequest(.init(username: "alice", service: "ssh-connection", method: method))
}

private let pkOK = SSHUserAuthPKOK(algorithm: "ssh-ed25519", keyBlob: hex("deadbeef"))
private let pkOKPayload = "0000000b 7373682d65643235353139  00000004 deadbeef"

private let infoRequest = SSHUserAuthInfoRequest(
    name: "",
    instruction: "Enter code",
    prompts: [(prompt: "Password: ", echo: false), (prompt: "Token: ", echo: true)]
)
private let infoRequestPayload = """
    00000000  0000000a 456e74657220636f6465  00000000
    00000002
        0000000a 50617373776f72643a20  00
        00000007 546f6b656e3a20  01
    """

private let infoResponse = SSHUserAuthInfoResponse(responses: ["hunter2", "123456"])
private let infoResponsePayload = "00000002  00000007 68756e74657232  00000006 313233343536"

/// User authentication messages: RFC 4252 §5–§8, RFC 4256 §3.
let userAuthGoldens: [Golden] = [
    Golden("USERAUTH_REQUEST none", request(.none), "32  \(aliceConnection)  00000004 6e6f6e65"),
    Golden(
        "USERAUTH_REQUEST password",
        request(.password(password: "secret", newPassword: nil)),
        "32  \(aliceConnection)  00000008 70617373776f7264  00  00000006 736563726574"
    ),
    Golden(
        "USERAUTH_REQUEST password change",
        request(.password(password: "secret", newPassword: "newsecret")),
        """
        32  \(aliceConnection)  00000008 70617373776f7264  01
            00000006 736563726574  00000009 6e6577736563726574
        """
    ),
    Golden(
        "USERAUTH_REQUEST publickey query",
        request(.publicKey(algorithm: "ssh-ed25519", keyBlob: hex("deadbeef"), signature: nil)),
        """
        32  \(aliceConnection)  00000009 7075626c69636b6579  00
            0000000b 7373682d65643235353139  00000004 deadbeef
        """
    ),
    Golden(
        "USERAUTH_REQUEST publickey signed",
        request(.publicKey(algorithm: "ssh-ed25519", keyBlob: hex("deadbeef"), signature: hex("736967"))),
        """
        32  \(aliceConnection)  00000009 7075626c69636b6579  01
            0000000b 7373682d65643235353139  00000004 deadbeef  00000003 736967
        """
    ),
    Golden(
        "USERAUTH_REQUEST keyboard-interactive",
        request(.keyboardInteractive(language: "", submethods: "pam")),
        "32  \(aliceConnection)  00000014 6b6579626f6172642d696e746572616374697665  00000000  00000003 70616d"
    ),
    Golden(
        "USERAUTH_REQUEST other method",
        request(.other(name: "hostbased", payload: hex("0102"))),
        "32  \(aliceConnection)  00000009 686f73746261736564  0102",
        prefixMayParse: true
    ),
    Golden(
        "USERAUTH_FAILURE",
        .userAuthFailure(.init(methodsThatCanContinue: ["publickey", "password"], partialSuccess: false)),
        "33  00000012 7075626c69636b65792c70617373776f7264  00"
    ),
    Golden(
        "USERAUTH_FAILURE partial success",
        .userAuthFailure(.init(methodsThatCanContinue: [], partialSuccess: true)),
        "33  00000000  01"
    ),
    Golden("USERAUTH_SUCCESS", .userAuthSuccess, "34"),
    Golden(
        "USERAUTH_BANNER",
        .userAuthBanner(.init(message: "Welcome\n", language: "en")),
        "35  00000008 57656c636f6d650a  00000002 656e",
        prefixMayParse: true
    ),
    Golden("USERAUTH_PK_OK", pkOK.message, "3c  \(pkOKPayload)", prefixMayParse: true),
    Golden("USERAUTH_INFO_REQUEST", infoRequest.message, "3c  \(infoRequestPayload)", prefixMayParse: true),
    Golden("USERAUTH_INFO_RESPONSE", infoResponse.message, "3d  \(infoResponsePayload)", prefixMayParse: true),
    Golden(
        "USERAUTH method-specific 79",
        .userAuthMethodSpecific(number: 79, payload: hex("00ff")),
        "4f  00ff",
        prefixMayParse: true
    ),
]

@Suite struct UserAuthMessagesTests {
    @Test(arguments: userAuthGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    @Test func methodSpecificNumbersAreKeptRaw() throws {
        for number in UInt8(60)...79 {
            let message = try decode(ByteBuffer(bytes: [number, 0xAB]))
            #expect(message == .userAuthMethodSpecific(number: number, payload: hex("ab")))
        }
    }

    @Test func pkOKMessage() throws {
        #expect(pkOK.message == .userAuthMethodSpecific(number: 60, payload: hex(pkOKPayload)))
        #expect(try SSHUserAuthPKOK(payload: hex(pkOKPayload)) == pkOK)
        try expectEveryProperPrefixThrows(hex(pkOKPayload)) { _ = try SSHUserAuthPKOK(payload: $0) }
    }

    @Test func infoRequestMessage() throws {
        #expect(infoRequest.message == .userAuthMethodSpecific(number: 60, payload: hex(infoRequestPayload)))
        #expect(try SSHUserAuthInfoRequest(payload: hex(infoRequestPayload)) == infoRequest)
        try expectEveryProperPrefixThrows(hex(infoRequestPayload)) { _ = try SSHUserAuthInfoRequest(payload: $0) }
    }

    @Test func infoRequestPromptLimit() throws {
        #expect(try SSHUserAuthInfoRequest(payload: hex(infoRequestPayload), maximumPrompts: 2) == infoRequest)
        let error = #expect(throws: SSHError.self) {
            try SSHUserAuthInfoRequest(payload: hex(infoRequestPayload), maximumPrompts: 1)
        }
        #expect(error?.code == .protocolError)
        // A huge count is refused before anything is read for it.
        #expect(throws: SSHError.self) {
            try SSHUserAuthInfoRequest(payload: hex("00000000 00000000 00000000 ffffffff"))
        }
    }

    @Test func infoRequestWithoutPrompts() throws {
        let empty = SSHUserAuthInfoRequest(name: "n", instruction: "", prompts: [])
        #expect(
            empty.message
                == .userAuthMethodSpecific(number: 60, payload: hex("00000001 6e  00000000  00000000  00000000"))
        )
        #expect(try SSHUserAuthInfoRequest(payload: hex("00000001 6e  00000000  00000000  00000000")) == empty)
    }

    @Test func infoResponseMessage() throws {
        #expect(infoResponse.message == .userAuthMethodSpecific(number: 61, payload: hex(infoResponsePayload)))
        #expect(try SSHUserAuthInfoResponse(payload: hex(infoResponsePayload)) == infoResponse)
        try expectEveryProperPrefixThrows(hex(infoResponsePayload)) { _ = try SSHUserAuthInfoResponse(payload: $0) }
    }

    @Test func infoResponseLimit() throws {
        #expect(throws: SSHError.self) {
            try SSHUserAuthInfoResponse(payload: hex(infoResponsePayload), maximumResponses: 1)
        }
        #expect(throws: SSHError.self) { try SSHUserAuthInfoResponse(payload: hex("ffffffff")) }
        #expect(try SSHUserAuthInfoResponse(payload: hex("00000000")) == SSHUserAuthInfoResponse(responses: []))
    }

    @Test func usernameMustBeUTF8() {
        let error = #expect(throws: SSHError.self) {
            try decode(hex("32  00000001 ff  0000000e 7373682d636f6e6e656374696f6e  00000004 6e6f6e65"))
        }
        #expect(error?.code == .protocolError)
    }

    @Test func methodNameIsCaseSensitive() throws {
        let message = try decode(hex("32  \(aliceConnection)  00000004 4e4f4e45"))
        #expect(message == request(.other(name: "NONE", payload: ByteBuffer())))
    }

    @Test func nonCanonicalBooleanSelectsPasswordChange() throws {
        let message = try decode(
            hex("32  \(aliceConnection)  00000008 70617373776f7264  02  00000001 61  00000001 62")
        )
        #expect(message == request(.password(password: "a", newPassword: "b")))
    }

    private func expectEveryProperPrefixThrows(
        _ payload: ByteBuffer,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ parse: (ByteBuffer) throws -> Void
    ) throws {
        for length in 0..<payload.readableBytes {
            let prefix = payload.getSlice(at: payload.readerIndex, length: length)!
            let error = #expect(throws: SSHError.self, "prefix of \(length) bytes", sourceLocation: sourceLocation) {
                try parse(prefix)
            }
            #expect(error?.code == .protocolError, sourceLocation: sourceLocation)
        }
        try parse(payload)
    }
}

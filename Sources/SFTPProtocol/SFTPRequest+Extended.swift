import NIOCore

// draft-ietf-secsh-filexfer-02 §8: vendor-specific requests.

extension SFTPRequest {
    /// `SSH_FXP_EXTENDED` (§8): a named request whose data only the named extension defines.
    ///
    /// The payload is kept raw (a slice of the packet when decoded). ``SFTPExtendedRequest`` decodes
    /// OpenSSH's extensions from it, and ``init(requestID:_:)`` builds one from a typed payload.
    /// A server MUST answer a name it does not know with `SSH_FX_OP_UNSUPPORTED`.
    public struct Extended: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The `extended-request` name, such as `posix-rename@openssh.com`.
        public var name: String
        /// The request-specific data after the name.
        public var payload: ByteBuffer

        /// Creates the message from its fields.
        public init(requestID: UInt32, name: String, payload: ByteBuffer = ByteBuffer()) {
            self.requestID = requestID
            self.name = name
            self.payload = payload
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPExtended(requestID: UInt32) -> SFTPRequest.Extended? {
        guard let name = self.readSFTPText() else { return nil }
        return .init(requestID: requestID, name: name, payload: self.readSlice(length: self.readableBytes)!)
    }

    mutating func writeSFTPExtended(_ message: SFTPRequest.Extended) {
        self.writeInteger(message.requestID)
        self.writeSFTPString(message.name)
        self.writeImmutableBuffer(message.payload)
    }
}

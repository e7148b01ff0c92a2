import NIOCore

extension ByteBuffer {
    /// Encodes a message as a packet body — type, request id (except `INIT` and `VERSION`) and fields
    /// (draft-ietf-secsh-filexfer-02 §3) — without the length prefix; see
    /// ``writeSFTPPacket(_:)-(SFTPMessage)`` for a framed packet.
    ///
    /// - Returns: the number of bytes written.
    @discardableResult
    public mutating func writeSFTPMessage(_ message: SFTPMessage) -> Int {
        switch message {
        case .request(let request): self.writeSFTPRequest(request)
        case .response(let response): self.writeSFTPResponse(response)
        }
    }

    /// Encodes a request as a packet body without the length prefix.
    @discardableResult
    public mutating func writeSFTPRequest(_ request: SFTPRequest) -> Int {
        let start = self.writerIndex
        if let data = self.writeSFTPRequestUpToData(request) {
            self.writeImmutableBuffer(data)
        }
        return self.writerIndex - start
    }

    /// Encodes a response as a packet body without the length prefix.
    @discardableResult
    public mutating func writeSFTPResponse(_ response: SFTPResponse) -> Int {
        let start = self.writerIndex
        if let data = self.writeSFTPResponseUpToData(response) {
            self.writeImmutableBuffer(data)
        }
        return self.writerIndex - start
    }

    /// Writes the body, except that for `WRITE` it stops before the data bytes and returns them.
    mutating func writeSFTPRequestUpToData(_ request: SFTPRequest) -> ByteBuffer? {
        self.writeInteger(request.packetType.rawValue)
        switch request {
        case .initialize(let m): self.writeSFTPInitialize(m)
        case .open(let m): self.writeSFTPOpen(m)
        case .close(let m): self.writeSFTPClose(m)
        case .read(let m): self.writeSFTPRead(m)
        case .write(let m):
            self.writeSFTPWriteHeader(m)
            return m.data
        case .lstat(let m): self.writeSFTPLStat(m)
        case .fstat(let m): self.writeSFTPFStat(m)
        case .setstat(let m): self.writeSFTPSetStat(m)
        case .fsetstat(let m): self.writeSFTPFSetStat(m)
        case .opendir(let m): self.writeSFTPOpenDir(m)
        case .readdir(let m): self.writeSFTPReadDir(m)
        case .remove(let m): self.writeSFTPRemove(m)
        case .mkdir(let m): self.writeSFTPMakeDirectory(m)
        case .rmdir(let m): self.writeSFTPRemoveDirectory(m)
        case .realpath(let m): self.writeSFTPRealPath(m)
        case .stat(let m): self.writeSFTPStat(m)
        case .rename(let m): self.writeSFTPRename(m)
        case .readlink(let m): self.writeSFTPReadLink(m)
        case .symlink(let m): self.writeSFTPSymlink(m)
        case .extended(let m): self.writeSFTPExtended(m)
        }
        return nil
    }

    /// Writes the body, except that for `DATA` it stops before the data bytes and returns them.
    mutating func writeSFTPResponseUpToData(_ response: SFTPResponse) -> ByteBuffer? {
        self.writeInteger(response.packetType.rawValue)
        switch response {
        case .version(let m): self.writeSFTPVersion(m)
        case .status(let m): self.writeSFTPStatus(m)
        case .handle(let m): self.writeSFTPHandleResponse(m)
        case .data(let m):
            self.writeSFTPDataHeader(m)
            return m.data
        case .name(let m): self.writeSFTPName(m)
        case .attributes(let m): self.writeSFTPAttributesResponse(m)
        case .extendedReply(let m): self.writeSFTPExtendedReply(m)
        }
        return nil
    }
}

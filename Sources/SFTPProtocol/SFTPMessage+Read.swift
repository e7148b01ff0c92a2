import NIOCore

extension ByteBuffer {
    /// Decodes one packet body — `byte type`, then `uint32 request-id` (except for `INIT` and
    /// `VERSION`), then the fields (draft-ietf-secsh-filexfer-02 §3) — as ``SFTPPacketDecoder`` yields
    /// it, without the length prefix.
    ///
    /// Bytes after the last field are left unread, as OpenSSH's `sftp-server` ignores them.
    ///
    /// - Throws: ``SFTPError`` with code `.badMessage` (truncated or malformed) or `.unknownPacketType`,
    ///   carrying the request id when it could be read; the reader index is then unchanged.
    public mutating func readSFTPMessage() throws(SFTPError) -> SFTPMessage {
        let save = self.readerIndex
        do {
            return try self.readSFTPMessageBody()
        } catch {
            self.moveReaderIndex(to: save)
            throw error
        }
    }

    /// Decodes one packet body that must be a request (for servers); see ``readSFTPMessage()``.
    ///
    /// - Throws: as ``readSFTPMessage()``, and `.unexpectedPacketType` for a response.
    public mutating func readSFTPRequest() throws(SFTPError) -> SFTPRequest {
        let save = self.readerIndex
        switch try self.readSFTPMessage() {
        case .request(let request):
            return request
        case .response(let response):
            self.moveReaderIndex(to: save)
            throw SFTPError(
                .unexpectedPacketType,
                "\(response.packetType) is not a request",
                requestID: response.requestID
            )
        }
    }

    /// Decodes one packet body that must be a response (for clients); see ``readSFTPMessage()``.
    ///
    /// - Throws: as ``readSFTPMessage()``, and `.unexpectedPacketType` for a request.
    public mutating func readSFTPResponse() throws(SFTPError) -> SFTPResponse {
        let save = self.readerIndex
        switch try self.readSFTPMessage() {
        case .response(let response):
            return response
        case .request(let request):
            self.moveReaderIndex(to: save)
            throw SFTPError(
                .unexpectedPacketType,
                "\(request.packetType) is not a response",
                requestID: request.requestID
            )
        }
    }

    private mutating func readSFTPMessageBody() throws(SFTPError) -> SFTPMessage {
        guard let rawType = self.readInteger(as: UInt8.self) else {
            throw SFTPError(.badMessage, "empty packet")
        }
        let type = SFTPPacketType(rawValue: rawType)
        switch type {
        case .initialize:
            return .request(.initialize(try self.readSFTPValue("\(type)") { $0.readSFTPInitialize() }))
        case .version:
            return .response(.version(try self.readSFTPValue("\(type)") { $0.readSFTPVersion() }))
        default:
            break
        }
        guard type.isDefined else {
            // The id is reported when present, so a server can answer SSH_FX_OP_UNSUPPORTED.
            let id = self.getInteger(at: self.readerIndex, as: UInt32.self)
            throw SFTPError(.unknownPacketType, "unknown packet type \(rawType)", requestID: id)
        }
        guard let id = self.readInteger(as: UInt32.self) else {
            throw SFTPError(.badMessage, "malformed \(type): no request id")
        }
        func parse<T>(_ body: (inout ByteBuffer) -> T?) throws(SFTPError) -> T {
            try self.readSFTPValue("\(type)", requestID: id, body)
        }
        switch type {
        case .open: return .request(.open(try parse { $0.readSFTPOpen(requestID: id) }))
        case .close: return .request(.close(try parse { $0.readSFTPClose(requestID: id) }))
        case .read: return .request(.read(try parse { $0.readSFTPRead(requestID: id) }))
        case .write: return .request(.write(try parse { $0.readSFTPWrite(requestID: id) }))
        case .lstat: return .request(.lstat(try parse { $0.readSFTPLStat(requestID: id) }))
        case .fstat: return .request(.fstat(try parse { $0.readSFTPFStat(requestID: id) }))
        case .setstat: return .request(.setstat(try parse { $0.readSFTPSetStat(requestID: id) }))
        case .fsetstat: return .request(.fsetstat(try parse { $0.readSFTPFSetStat(requestID: id) }))
        case .opendir: return .request(.opendir(try parse { $0.readSFTPOpenDir(requestID: id) }))
        case .readdir: return .request(.readdir(try parse { $0.readSFTPReadDir(requestID: id) }))
        case .remove: return .request(.remove(try parse { $0.readSFTPRemove(requestID: id) }))
        case .mkdir: return .request(.mkdir(try parse { $0.readSFTPMakeDirectory(requestID: id) }))
        case .rmdir: return .request(.rmdir(try parse { $0.readSFTPRemoveDirectory(requestID: id) }))
        case .realpath: return .request(.realpath(try parse { $0.readSFTPRealPath(requestID: id) }))
        case .stat: return .request(.stat(try parse { $0.readSFTPStat(requestID: id) }))
        case .rename: return .request(.rename(try parse { $0.readSFTPRename(requestID: id) }))
        case .readlink: return .request(.readlink(try parse { $0.readSFTPReadLink(requestID: id) }))
        case .symlink: return .request(.symlink(try parse { $0.readSFTPSymlink(requestID: id) }))
        case .extended: return .request(.extended(try parse { $0.readSFTPExtended(requestID: id) }))
        case .status: return .response(.status(try parse { $0.readSFTPStatus(requestID: id) }))
        case .handle: return .response(.handle(try parse { $0.readSFTPHandleResponse(requestID: id) }))
        case .data: return .response(.data(try parse { $0.readSFTPData(requestID: id) }))
        case .name: return .response(.name(try parse { $0.readSFTPName(requestID: id) }))
        case .attributes: return .response(.attributes(try parse { $0.readSFTPAttributesResponse(requestID: id) }))
        case .extendedReply: return .response(.extendedReply(self.readSFTPExtendedReply(requestID: id)))
        default:
            preconditionFailure("\(type) is defined but not decoded")
        }
    }
}

import NIOCore

extension ByteBuffer {
    /// Decodes one whole packet payload into an ``SSHMessage``.
    ///
    /// The buffer must hold exactly one payload (the packet layer has already removed length,
    /// padding and MAC). Trailing bytes after a fully parsed message are ignored, as RFC 4251 §4.4
    /// lets later versions append fields; a truncated or malformed field throws.
    ///
    /// - Throws: ``SSHError`` with code `.protocolError` naming the message that failed to parse.
    public mutating func readSSHMessage() throws -> SSHMessage {
        guard let number = self.readInteger(as: UInt8.self) else {
            throw SSHError(.protocolError, "empty packet payload")
        }
        switch number {
        case SSHMessageNumber.disconnect:
            return .disconnect(
                try self.parse("DISCONNECT") {
                    guard let reason = $0.readInteger(as: UInt32.self), let description = $0.readSSHLossyText(),
                        let language = $0.readSSHLossyText()
                    else { return nil }
                    return SSHMessage.Disconnect(reason: reason, description: description, language: language)
                }
            )
        case SSHMessageNumber.ignore:
            // RFC 4253 §11.2 lets the data be anything; a missing string is tolerated too.
            return .ignore(SSHMessage.Ignore(data: self.readSSHString() ?? ByteBuffer()))
        case SSHMessageNumber.unimplemented:
            return .unimplemented(
                try self.parse("UNIMPLEMENTED") { $0.readInteger(as: UInt32.self).map { .init(sequenceNumber: $0) } }
            )
        case SSHMessageNumber.debug:
            return .debug(
                try self.parse("DEBUG") {
                    guard let display = $0.readSSHBoolean(), let message = $0.readSSHLossyText() else { return nil }
                    return SSHMessage.Debug(
                        alwaysDisplay: display,
                        message: message,
                        language: $0.readSSHLossyText() ?? ""
                    )
                }
            )
        case SSHMessageNumber.serviceRequest:
            return .serviceRequest(try self.parse("SERVICE_REQUEST") { $0.readSSHText().map { .init(service: $0) } })
        case SSHMessageNumber.serviceAccept:
            return .serviceAccept(try self.parse("SERVICE_ACCEPT") { $0.readSSHText().map { .init(service: $0) } })
        case SSHMessageNumber.extInfo:
            return .extInfo(try self.parse("EXT_INFO") { $0.readExtInfo() })
        case SSHMessageNumber.kexInit:
            return .kexInit(try self.parse("KEXINIT") { $0.readKeyExchangeInit() })
        case SSHMessageNumber.newKeys:
            return .newKeys
        case SSHMessageNumber.kexECDHInit:
            return .kexECDHInit(
                try self.parse("KEX_ECDH_INIT") { $0.readSSHStringBytes().map { .init(clientPublicKey: $0) } }
            )
        case SSHMessageNumber.kexECDHReply:
            return .kexECDHReply(
                try self.parse("KEX_ECDH_REPLY") {
                    guard let hostKey = $0.readSSHString(), let q = $0.readSSHStringBytes(),
                        let signature = $0.readSSHString()
                    else { return nil }
                    return SSHMessage.KeyExchangeECDHReply(hostKey: hostKey, serverPublicKey: q, signature: signature)
                }
            )
        case SSHMessageNumber.userAuthRequest:
            return .userAuthRequest(try self.parse("USERAUTH_REQUEST") { $0.readUserAuthRequest() })
        case SSHMessageNumber.userAuthFailure:
            return .userAuthFailure(
                try self.parse("USERAUTH_FAILURE") {
                    guard let methods = $0.readSSHNameList(), let partial = $0.readSSHBoolean() else { return nil }
                    return SSHMessage.UserAuthFailure(methodsThatCanContinue: methods, partialSuccess: partial)
                }
            )
        case SSHMessageNumber.userAuthSuccess:
            return .userAuthSuccess
        case SSHMessageNumber.userAuthBanner:
            return .userAuthBanner(
                try self.parse("USERAUTH_BANNER") {
                    guard let message = $0.readSSHLossyText() else { return nil }
                    return SSHMessage.UserAuthBanner(message: message, language: $0.readSSHLossyText() ?? "")
                }
            )
        case 60...79:
            return .userAuthMethodSpecific(number: number, payload: self.readSlice(length: self.readableBytes)!)
        case SSHMessageNumber.globalRequest:
            return .globalRequest(
                try self.parse("GLOBAL_REQUEST") {
                    guard let name = $0.readSSHText(), let wantReply = $0.readSSHBoolean() else { return nil }
                    let payload = $0.readSlice(length: $0.readableBytes)!
                    return SSHMessage.GlobalRequest(name: name, wantReply: wantReply, payload: payload)
                }
            )
        case SSHMessageNumber.requestSuccess:
            return .requestSuccess(.init(payload: self.readSlice(length: self.readableBytes)!))
        case SSHMessageNumber.requestFailure:
            return .requestFailure
        case SSHMessageNumber.channelOpen:
            return .channelOpen(
                try self.parse("CHANNEL_OPEN") {
                    guard let type = $0.readSSHText(), let sender = $0.readInteger(as: UInt32.self),
                        let window = $0.readInteger(as: UInt32.self), let packet = $0.readInteger(as: UInt32.self)
                    else { return nil }
                    let payload = $0.readSlice(length: $0.readableBytes)!
                    return SSHMessage.ChannelOpen(
                        type: type,
                        senderChannel: sender,
                        initialWindowSize: window,
                        maximumPacketSize: packet,
                        payload: payload
                    )
                }
            )
        case SSHMessageNumber.channelOpenConfirmation:
            return .channelOpenConfirmation(
                try self.parse("CHANNEL_OPEN_CONFIRMATION") {
                    guard let recipient = $0.readInteger(as: UInt32.self), let sender = $0.readInteger(as: UInt32.self),
                        let window = $0.readInteger(as: UInt32.self), let packet = $0.readInteger(as: UInt32.self)
                    else { return nil }
                    let payload = $0.readSlice(length: $0.readableBytes)!
                    return SSHMessage.ChannelOpenConfirmation(
                        recipientChannel: recipient,
                        senderChannel: sender,
                        initialWindowSize: window,
                        maximumPacketSize: packet,
                        payload: payload
                    )
                }
            )
        case SSHMessageNumber.channelOpenFailure:
            return .channelOpenFailure(
                try self.parse("CHANNEL_OPEN_FAILURE") {
                    guard let recipient = $0.readInteger(as: UInt32.self), let reason = $0.readInteger(as: UInt32.self),
                        let description = $0.readSSHLossyText()
                    else { return nil }
                    return SSHMessage.ChannelOpenFailure(
                        recipientChannel: recipient,
                        reason: reason,
                        description: description,
                        language: $0.readSSHLossyText() ?? ""
                    )
                }
            )
        case SSHMessageNumber.channelWindowAdjust:
            return .channelWindowAdjust(
                try self.parse("CHANNEL_WINDOW_ADJUST") {
                    guard let recipient = $0.readInteger(as: UInt32.self), let bytes = $0.readInteger(as: UInt32.self)
                    else { return nil }
                    return SSHMessage.ChannelWindowAdjust(recipientChannel: recipient, bytesToAdd: bytes)
                }
            )
        case SSHMessageNumber.channelData:
            return .channelData(
                try self.parse("CHANNEL_DATA") {
                    guard let recipient = $0.readInteger(as: UInt32.self), let data = $0.readSSHString() else {
                        return nil
                    }
                    return SSHMessage.ChannelData(recipientChannel: recipient, data: data)
                }
            )
        case SSHMessageNumber.channelExtendedData:
            return .channelExtendedData(
                try self.parse("CHANNEL_EXTENDED_DATA") {
                    guard let recipient = $0.readInteger(as: UInt32.self), let code = $0.readInteger(as: UInt32.self),
                        let data = $0.readSSHString()
                    else { return nil }
                    return SSHMessage.ChannelExtendedData(recipientChannel: recipient, dataTypeCode: code, data: data)
                }
            )
        case SSHMessageNumber.channelEOF:
            return .channelEOF(
                try self.parse("CHANNEL_EOF") { $0.readInteger(as: UInt32.self).map { .init(recipientChannel: $0) } }
            )
        case SSHMessageNumber.channelClose:
            return .channelClose(
                try self.parse("CHANNEL_CLOSE") { $0.readInteger(as: UInt32.self).map { .init(recipientChannel: $0) } }
            )
        case SSHMessageNumber.channelRequest:
            return .channelRequest(try self.parse("CHANNEL_REQUEST") { $0.readChannelRequest() })
        case SSHMessageNumber.channelSuccess:
            return .channelSuccess(
                try self.parse("CHANNEL_SUCCESS") {
                    $0.readInteger(as: UInt32.self).map { .init(recipientChannel: $0) }
                }
            )
        case SSHMessageNumber.channelFailure:
            return .channelFailure(
                try self.parse("CHANNEL_FAILURE") {
                    $0.readInteger(as: UInt32.self).map { .init(recipientChannel: $0) }
                }
            )
        default:
            return .unknown(number: number, payload: self.readSlice(length: self.readableBytes)!)
        }
    }

    private mutating func parse<T>(_ name: String, _ body: (inout ByteBuffer) -> T?) throws -> T {
        guard let value = body(&self) else {
            throw SSHError(.protocolError, "malformed SSH_MSG_\(name)")
        }
        return value
    }

    /// Reads a `string` of text, replacing invalid UTF-8 rather than failing (for human-readable
    /// fields such as disconnect descriptions, where a peer's bad encoding must not kill the parse).
    mutating func readSSHLossyText() -> String? {
        self.readSSHString().map { String(decoding: $0.readableBytesView, as: UTF8.self) }
    }

    private mutating func readExtInfo() -> SSHMessage.ExtInfo? {
        guard let count = self.readInteger(as: UInt32.self), count <= 1024 else { return nil }
        var extensions: [(name: String, value: ByteBuffer)] = []
        for _ in 0..<count {
            guard let name = self.readSSHText(), let value = self.readSSHString() else { return nil }
            extensions.append((name, value))
        }
        return SSHMessage.ExtInfo(extensions: extensions)
    }

    private mutating func readKeyExchangeInit() -> SSHMessage.KeyExchangeInit? {
        guard let cookie = self.readBytes(length: 16),
            let kex = self.readSSHNameList(), let hostKey = self.readSSHNameList(),
            let encC2S = self.readSSHNameList(), let encS2C = self.readSSHNameList(),
            let macC2S = self.readSSHNameList(), let macS2C = self.readSSHNameList(),
            let compC2S = self.readSSHNameList(), let compS2C = self.readSSHNameList(),
            let langC2S = self.readSSHNameList(), let langS2C = self.readSSHNameList(),
            let follows = self.readSSHBoolean(), let reserved = self.readInteger(as: UInt32.self)
        else { return nil }
        return SSHMessage.KeyExchangeInit(
            cookie: cookie,
            keyExchangeAlgorithms: kex,
            serverHostKeyAlgorithms: hostKey,
            encryptionAlgorithmsClientToServer: encC2S,
            encryptionAlgorithmsServerToClient: encS2C,
            macAlgorithmsClientToServer: macC2S,
            macAlgorithmsServerToClient: macS2C,
            compressionAlgorithmsClientToServer: compC2S,
            compressionAlgorithmsServerToClient: compS2C,
            languagesClientToServer: langC2S,
            languagesServerToClient: langS2C,
            firstKexPacketFollows: follows,
            reserved: reserved
        )
    }

    private mutating func readUserAuthRequest() -> SSHMessage.UserAuthRequest? {
        guard let username = self.readSSHText(), let service = self.readSSHText(), let method = self.readSSHText()
        else { return nil }
        let parsed: SSHMessage.UserAuthRequest.Method
        switch method {
        case "none":
            parsed = .none
        case "password":
            guard let change = self.readSSHBoolean(), let password = self.readSSHText() else { return nil }
            if change {
                guard let newPassword = self.readSSHText() else { return nil }
                parsed = .password(password: password, newPassword: newPassword)
            } else {
                parsed = .password(password: password, newPassword: nil)
            }
        case "publickey":
            guard let hasSignature = self.readSSHBoolean(), let algorithm = self.readSSHText(),
                let blob = self.readSSHString()
            else { return nil }
            if hasSignature {
                guard let signature = self.readSSHString() else { return nil }
                parsed = .publicKey(algorithm: algorithm, keyBlob: blob, signature: signature)
            } else {
                parsed = .publicKey(algorithm: algorithm, keyBlob: blob, signature: nil)
            }
        case "keyboard-interactive":
            guard let language = self.readSSHText(), let submethods = self.readSSHText() else { return nil }
            parsed = .keyboardInteractive(language: language, submethods: submethods)
        default:
            parsed = .other(name: method, payload: self.readSlice(length: self.readableBytes)!)
        }
        return SSHMessage.UserAuthRequest(username: username, service: service, method: parsed)
    }

    private mutating func readChannelRequest() -> SSHMessage.ChannelRequest? {
        guard let recipient = self.readInteger(as: UInt32.self), let type = self.readSSHText(),
            let wantReply = self.readSSHBoolean()
        else { return nil }
        let parsed: SSHMessage.ChannelRequest.RequestType
        switch type {
        case "pty-req":
            guard let term = self.readSSHText(), let columns = self.readInteger(as: UInt32.self),
                let rows = self.readInteger(as: UInt32.self), let width = self.readInteger(as: UInt32.self),
                let height = self.readInteger(as: UInt32.self), let modes = self.readSSHString()
            else { return nil }
            parsed = .pty(.init(term: term, columns: columns, rows: rows, width: width, height: height, modes: modes))
        case "env":
            guard let name = self.readSSHText(), let value = self.readSSHLossyText() else { return nil }
            parsed = .env(name: name, value: value)
        case "shell":
            parsed = .shell
        case "exec":
            guard let command = self.readSSHLossyText() else { return nil }
            parsed = .exec(command: command)
        case "subsystem":
            guard let name = self.readSSHText() else { return nil }
            parsed = .subsystem(name: name)
        case "window-change":
            guard let columns = self.readInteger(as: UInt32.self), let rows = self.readInteger(as: UInt32.self),
                let width = self.readInteger(as: UInt32.self), let height = self.readInteger(as: UInt32.self)
            else { return nil }
            parsed = .windowChange(columns: columns, rows: rows, width: width, height: height)
        case "signal":
            guard let name = self.readSSHText() else { return nil }
            parsed = .signal(name: name)
        case "exit-status":
            guard let status = self.readInteger(as: UInt32.self) else { return nil }
            parsed = .exitStatus(status)
        case "exit-signal":
            guard let name = self.readSSHText(), let core = self.readSSHBoolean(),
                let message = self.readSSHLossyText(), let language = self.readSSHLossyText()
            else { return nil }
            parsed = .exitSignal(name: name, coreDumped: core, message: message, language: language)
        default:
            parsed = .other(name: type, payload: self.readSlice(length: self.readableBytes)!)
        }
        return SSHMessage.ChannelRequest(recipientChannel: recipient, type: parsed, wantReply: wantReply)
    }
}

import NIOCore

extension ByteBuffer {
    /// Encodes `message` as a packet payload (message number first).
    @discardableResult
    public mutating func writeSSHMessage(_ message: SSHMessage) -> Int {
        let start = self.writerIndex
        self.writeInteger(message.number)
        switch message {
        case .disconnect(let m):
            self.writeInteger(m.reason)
            self.writeSSHString(m.description)
            self.writeSSHString(m.language)
        case .ignore(let m):
            self.writeSSHString(m.data)
        case .unimplemented(let m):
            self.writeInteger(m.sequenceNumber)
        case .debug(let m):
            self.writeSSHBoolean(m.alwaysDisplay)
            self.writeSSHString(m.message)
            self.writeSSHString(m.language)
        case .serviceRequest(let m):
            self.writeSSHString(m.service)
        case .serviceAccept(let m):
            self.writeSSHString(m.service)
        case .extInfo(let m):
            self.writeInteger(UInt32(m.extensions.count))
            for (name, value) in m.extensions {
                self.writeSSHString(name)
                self.writeSSHString(value)
            }
        case .kexInit(let m):
            self.writeBytes(m.cookie)
            self.writeSSHNameList(m.keyExchangeAlgorithms)
            self.writeSSHNameList(m.serverHostKeyAlgorithms)
            self.writeSSHNameList(m.encryptionAlgorithmsClientToServer)
            self.writeSSHNameList(m.encryptionAlgorithmsServerToClient)
            self.writeSSHNameList(m.macAlgorithmsClientToServer)
            self.writeSSHNameList(m.macAlgorithmsServerToClient)
            self.writeSSHNameList(m.compressionAlgorithmsClientToServer)
            self.writeSSHNameList(m.compressionAlgorithmsServerToClient)
            self.writeSSHNameList(m.languagesClientToServer)
            self.writeSSHNameList(m.languagesServerToClient)
            self.writeSSHBoolean(m.firstKexPacketFollows)
            self.writeInteger(m.reserved)
        case .newKeys, .userAuthSuccess, .requestFailure:
            break
        case .kexECDHInit(let m):
            self.writeSSHString(m.clientPublicKey)
        case .kexECDHReply(let m):
            self.writeSSHString(m.hostKey)
            self.writeSSHString(m.serverPublicKey)
            self.writeSSHString(m.signature)
        case .userAuthRequest(let m):
            self.writeUserAuthRequest(m)
        case .userAuthFailure(let m):
            self.writeSSHNameList(m.methodsThatCanContinue)
            self.writeSSHBoolean(m.partialSuccess)
        case .userAuthBanner(let m):
            self.writeSSHString(m.message)
            self.writeSSHString(m.language)
        case .userAuthMethodSpecific(_, let payload):
            self.writeImmutableBuffer(payload)
        case .globalRequest(let m):
            self.writeSSHString(m.name)
            self.writeSSHBoolean(m.wantReply)
            self.writeImmutableBuffer(m.payload)
        case .requestSuccess(let m):
            self.writeImmutableBuffer(m.payload)
        case .channelOpen(let m):
            self.writeSSHString(m.type)
            self.writeInteger(m.senderChannel)
            self.writeInteger(m.initialWindowSize)
            self.writeInteger(m.maximumPacketSize)
            self.writeImmutableBuffer(m.payload)
        case .channelOpenConfirmation(let m):
            self.writeInteger(m.recipientChannel)
            self.writeInteger(m.senderChannel)
            self.writeInteger(m.initialWindowSize)
            self.writeInteger(m.maximumPacketSize)
            self.writeImmutableBuffer(m.payload)
        case .channelOpenFailure(let m):
            self.writeInteger(m.recipientChannel)
            self.writeInteger(m.reason)
            self.writeSSHString(m.description)
            self.writeSSHString(m.language)
        case .channelWindowAdjust(let m):
            self.writeInteger(m.recipientChannel)
            self.writeInteger(m.bytesToAdd)
        case .channelData(let m):
            self.writeInteger(m.recipientChannel)
            self.writeSSHString(m.data)
        case .channelExtendedData(let m):
            self.writeInteger(m.recipientChannel)
            self.writeInteger(m.dataTypeCode)
            self.writeSSHString(m.data)
        case .channelEOF(let m):
            self.writeInteger(m.recipientChannel)
        case .channelClose(let m):
            self.writeInteger(m.recipientChannel)
        case .channelRequest(let m):
            self.writeChannelRequest(m)
        case .channelSuccess(let m):
            self.writeInteger(m.recipientChannel)
        case .channelFailure(let m):
            self.writeInteger(m.recipientChannel)
        case .unknown(_, let payload):
            self.writeImmutableBuffer(payload)
        }
        return self.writerIndex - start
    }

    private mutating func writeUserAuthRequest(_ m: SSHMessage.UserAuthRequest) {
        self.writeSSHString(m.username)
        self.writeSSHString(m.service)
        self.writeSSHString(m.method.name)
        switch m.method {
        case .none:
            break
        case .password(let password, let newPassword):
            self.writeSSHBoolean(newPassword != nil)
            self.writeSSHString(password)
            if let newPassword { self.writeSSHString(newPassword) }
        case .publicKey(let algorithm, let blob, let signature):
            self.writeSSHBoolean(signature != nil)
            self.writeSSHString(algorithm)
            self.writeSSHString(blob)
            if let signature { self.writeSSHString(signature) }
        case .keyboardInteractive(let language, let submethods):
            self.writeSSHString(language)
            self.writeSSHString(submethods)
        case .other(_, let payload):
            self.writeImmutableBuffer(payload)
        }
    }

    private mutating func writeChannelRequest(_ m: SSHMessage.ChannelRequest) {
        self.writeInteger(m.recipientChannel)
        self.writeSSHString(m.type.name)
        self.writeSSHBoolean(m.wantReply)
        switch m.type {
        case .pty(let pty):
            self.writeSSHString(pty.term)
            self.writeInteger(pty.columns)
            self.writeInteger(pty.rows)
            self.writeInteger(pty.width)
            self.writeInteger(pty.height)
            self.writeSSHString(pty.modes)
        case .env(let name, let value):
            self.writeSSHString(name)
            self.writeSSHString(value)
        case .shell:
            break
        case .exec(let command):
            self.writeSSHString(command)
        case .subsystem(let name):
            self.writeSSHString(name)
        case .windowChange(let columns, let rows, let width, let height):
            self.writeInteger(columns)
            self.writeInteger(rows)
            self.writeInteger(width)
            self.writeInteger(height)
        case .signal(let name):
            self.writeSSHString(name)
        case .exitStatus(let status):
            self.writeInteger(status)
        case .exitSignal(let name, let core, let message, let language):
            self.writeSSHString(name)
            self.writeSSHBoolean(core)
            self.writeSSHString(message)
            self.writeSSHString(language)
        case .other(_, let payload):
            self.writeImmutableBuffer(payload)
        }
    }
}

import NIOCore

// draft-ietf-secsh-filexfer-02 §3: every packet is `uint32 length`, then `length` bytes holding the
// type and the data. The length does not count itself.
extension ByteBuffer {
    /// Frames a message as a whole packet: `uint32 length`, type, request id and fields.
    ///
    /// - Returns: the number of bytes written, length prefix included.
    @discardableResult
    public mutating func writeSFTPPacket(_ message: SFTPMessage) -> Int {
        switch message {
        case .request(let request): self.writeSFTPPacket(request)
        case .response(let response): self.writeSFTPPacket(response)
        }
    }

    /// Frames a request as a whole packet.
    @discardableResult
    public mutating func writeSFTPPacket(_ request: SFTPRequest) -> Int {
        self.writeSFTPFramed { $0.writeSFTPRequest(request) }
    }

    /// Frames a response as a whole packet.
    @discardableResult
    public mutating func writeSFTPPacket(_ response: SFTPResponse) -> Int {
        self.writeSFTPFramed { $0.writeSFTPResponse(response) }
    }

    /// Frames a message like ``writeSFTPPacket(_:)-(SFTPMessage)``, except that the bulk data of a
    /// `WRITE` request or a `DATA` response is not copied: everything before it is written, with the
    /// length counting the data, and the data is returned for the caller to send right after.
    ///
    /// - Returns: the bytes that complete the packet, or `nil` when the packet is already complete.
    public mutating func writeSFTPPacketPartially(_ message: SFTPMessage) -> ByteBuffer? {
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt32(0))
        let data: ByteBuffer?
        switch message {
        case .request(let request): data = self.writeSFTPRequestUpToData(request)
        case .response(let response): data = self.writeSFTPResponseUpToData(response)
        }
        let length = self.writerIndex - lengthIndex - 4 + (data?.readableBytes ?? 0)
        self.setInteger(UInt32(truncatingIfNeeded: length), at: lengthIndex)
        return data
    }

    private mutating func writeSFTPFramed(_ body: (inout ByteBuffer) -> Int) -> Int {
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt32(0))
        let length = body(&self)
        self.setInteger(UInt32(truncatingIfNeeded: length), at: lengthIndex)
        return length + 4
    }
}

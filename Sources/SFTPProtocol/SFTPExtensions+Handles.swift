import NIOCore

// OpenSSH PROTOCOL §4.6 (fsync) and §4.10 (copy-data): extensions that work on open handles.

extension SFTPExtensions {
    /// `fsync@openssh.com` (OpenSSH PROTOCOL §4.6): `fsync(2)` an open file. Answered by
    /// `SSH_FXP_STATUS`.
    public struct Fsync: SFTPExtendedRequestPayload {
        public static let extensionName = "fsync@openssh.com"
        public static let extensionVersion = "1"

        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle

        /// Creates the payload from its fields.
        public init(handle: SFTPHandle) {
            self.handle = handle
        }

        public static func read(from payload: inout ByteBuffer) -> Fsync? {
            payload.readSFTPHandle().map(Fsync.init(handle:))
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPHandle(self.handle)
        }
    }

    /// `copy-data` (OpenSSH PROTOCOL §4.10, draft-ietf-secsh-filexfer-extensions-00 §7): copy bytes
    /// between two open handles on the server, without sending them over the network. Answered by
    /// `SSH_FXP_STATUS`.
    ///
    /// A ``readDataLength`` of zero copies until end of file. The two handles must differ.
    public struct CopyData: SFTPExtendedRequestPayload {
        public static let extensionName = "copy-data"
        public static let extensionVersion = "1"

        /// The handle to read from (`read-from-handle`).
        public var readFromHandle: SFTPHandle
        /// Where to start reading (`read-from-offset`).
        public var readFromOffset: UInt64
        /// How many bytes to copy, or zero for all up to end of file (`read-data-length`).
        public var readDataLength: UInt64
        /// The handle to write to (`write-to-handle`).
        public var writeToHandle: SFTPHandle
        /// Where to start writing (`write-to-offset`).
        public var writeToOffset: UInt64

        /// Creates the payload from its fields.
        public init(
            readFromHandle: SFTPHandle,
            readFromOffset: UInt64,
            readDataLength: UInt64,
            writeToHandle: SFTPHandle,
            writeToOffset: UInt64
        ) {
            self.readFromHandle = readFromHandle
            self.readFromOffset = readFromOffset
            self.readDataLength = readDataLength
            self.writeToHandle = writeToHandle
            self.writeToOffset = writeToOffset
        }

        public static func read(from payload: inout ByteBuffer) -> CopyData? {
            guard let readHandle = payload.readSFTPHandle(),
                let (readOffset, length) = payload.readMultipleIntegers(as: (UInt64, UInt64).self),
                let writeHandle = payload.readSFTPHandle(),
                let writeOffset = payload.readInteger(as: UInt64.self)
            else { return nil }
            return CopyData(
                readFromHandle: readHandle,
                readFromOffset: readOffset,
                readDataLength: length,
                writeToHandle: writeHandle,
                writeToOffset: writeOffset
            )
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPHandle(self.readFromHandle)
            payload.writeMultipleIntegers(self.readFromOffset, self.readDataLength)
            payload.writeSFTPHandle(self.writeToHandle)
            payload.writeInteger(self.writeToOffset)
        }
    }
}

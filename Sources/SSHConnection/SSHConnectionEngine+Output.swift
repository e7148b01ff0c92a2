import NIOCore

extension SSHConnectionEngine {
    /// Hands everything the engine has to send to `write`, moving queued channel data into packets while
    /// `isWritable` says the transport takes more (so a slow peer holds data in the channel queues, where
    /// flow control applies, and not in the socket's buffer).
    ///
    /// - Parameters:
    ///   - isWritable: whether the socket accepts more bytes now.
    ///   - write: sends (without flushing) one buffer.
    /// - Returns: whether anything was written, so the caller knows to flush.
    @discardableResult
    public func pumpOutput(isWritable: () -> Bool, write: (ByteBuffer) -> Void) -> Bool {
        self.isTransportWritable = isWritable()
        var wrote = false
        while true {
            if self.isTransportWritable && self.hasQueuedChannelOutput {
                self.drainChannels(budget: 256 * 1024)
            }
            guard let output = self.takeOutput() else { break }
            write(output)
            wrote = true
            self.isTransportWritable = isWritable()
            if !self.isTransportWritable { break }
        }
        return wrote
    }
}

import NIOCore
import Synchronization
import Testing

@testable import SFTPClient

@Suite struct SFTPClientInboundTests {
    /// What a receiver saw: the bytes' first byte each, and how the stream ended.
    final class Record: Sendable {
        let state = Mutex<(bytes: [UInt8], ends: [String], overlaps: Int, inside: Bool)>(([], [], 0, false))

        var receiver: SFTPClientInbound.Receiver {
            .init(
                bytes: { bytes in
                    self.state.withLock { state in
                        if state.inside { state.overlaps += 1 }
                        state.inside = true
                    }
                    self.state.withLock { state in
                        state.bytes.append(bytes.getInteger(at: bytes.readerIndex)!)
                        state.inside = false
                    }
                },
                end: { error in self.state.withLock { $0.ends.append(error.map { "\($0)" } ?? "closed") } }
            )
        }
    }

    static func bytes(_ value: UInt8) -> ByteBuffer { ByteBuffer(bytes: [value]) }

    @Test func bytesPushedBeforeAttachingComeFirstAndInOrder() {
        let inbound = SFTPClientInbound()
        inbound.push(Self.bytes(1))
        inbound.push(Self.bytes(2))
        let record = Record()
        inbound.attach(record.receiver)
        inbound.push(Self.bytes(3))
        inbound.finish()
        inbound.push(Self.bytes(4))
        inbound.finish(SFTPClientError.connectionLost("again"))
        let state = record.state.withLock { $0 }
        #expect(state.bytes == [1, 2, 3])
        #expect(state.ends == ["closed"])
    }

    @Test func aFailureEndsTheStreamOnce() {
        let inbound = SFTPClientInbound()
        let record = Record()
        inbound.attach(record.receiver)
        inbound.push(Self.bytes(9))
        inbound.finish(SFTPClientError.connectionLost("reset"))
        inbound.finish()
        let state = record.state.withLock { $0 }
        #expect(state.bytes == [9])
        #expect(state.ends.count == 1)
        #expect(state.ends.first?.contains("reset") == true)
    }

    /// Attaching while the transport pushes from another thread: nothing is lost, nothing overlaps, the
    /// order holds.
    @Test func attachingWhilePushingLosesAndReordersNothing() async {
        for _ in 0..<50 {
            let inbound = SFTPClientInbound()
            let record = Record()
            let pusher = Task.detached {
                for value in 0..<200 { inbound.push(Self.bytes(UInt8(value))) }
                inbound.finish()
            }
            inbound.attach(record.receiver)
            await pusher.value
            let state = record.state.withLock { $0 }
            #expect(state.bytes == (0..<200).map { UInt8($0) })
            #expect(state.ends == ["closed"])
            #expect(state.overlaps == 0)
        }
    }
}

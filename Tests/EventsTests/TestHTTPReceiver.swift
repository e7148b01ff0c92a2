import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook receiver on 127.0.0.1 for tests: records every request and answers with a chosen status.
final class TestHTTPReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private struct State {
        var requests: [Request] = []
        var status: Int = 200
        var responseBody: [UInt8] = Array("ok".utf8)
    }

    private let state = Mutex(State())
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts a receiver on `port` (0: any free port).
    static func start(port: Int = 0) async throws -> TestHTTPReceiver {
        let box = ReceiverBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        let receiver = TestHTTPReceiver(channel: channel, port: channel.localAddress?.port ?? port)
        box.receiver.withLock { $0 = receiver }
        return receiver
    }

    func stop() async throws {
        try await self.channel.close()
    }

    var requests: [Request] { self.state.withLock { $0.requests } }

    func respond(status: Int, body: String) {
        self.state.withLock {
            $0.status = status
            $0.responseBody = Array(body.utf8)
        }
    }

    fileprivate func record(_ request: Request) -> (Int, [UInt8]) {
        self.state.withLock {
            $0.requests.append(request)
            return ($0.status, $0.responseBody)
        }
    }

    private final class ReceiverBox: Sendable {
        let receiver = Mutex<TestHTTPReceiver?>(nil)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let box: ReceiverBox
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(box: ReceiverBox) {
            self.box = box
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body = []
            case .body(let buffer):
                self.body += buffer.readableBytesView
            case .end:
                guard let head = self.head, let receiver = self.box.receiver.withLock({ $0 }) else { return }
                let (status, responseBody) = receiver.record(
                    Request(
                        method: head.method.rawValue,
                        uri: head.uri,
                        headers: head.headers.map { ($0.name, $0.value) },
                        body: self.body
                    )
                )
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(responseBody.count))
                headers.add(name: "Content-Type", value: "text/plain")
                let responseHead = HTTPResponseHead(
                    version: head.version,
                    status: HTTPResponseStatus(statusCode: status),
                    headers: headers
                )
                context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: responseBody)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

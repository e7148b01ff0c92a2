import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Suspends until SIGINT or SIGTERM arrives.
func waitForTerminationSignal() async throws {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let queue = DispatchQueue(label: "ferry.signals")
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        let once = OnceFlag()
        for source in sources {
            source.setEventHandler {
                if once.claim() {
                    for other in sources { other.cancel() }
                    continuation.resume()
                }
            }
            source.resume()
        }
    }
}

/// A flag that can be claimed once, from the signal queue only.
private final class OnceFlag: @unchecked Sendable {
    private var claimed = false
    func claim() -> Bool {
        if self.claimed { return false }
        self.claimed = true
        return true
    }
}

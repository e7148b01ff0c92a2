import Synchronization

/// A wake-up call for one waiting task: ``signal()`` ends the current (or the next) ``wait(seconds:)`` early.
final class WakeSignal: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
        var waiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one when nobody waits.
    func signal() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until signalled, `seconds` have passed (nil: no limit) or the task is cancelled.
    func wait(seconds: Double?) async {
        await withTaskGroup(of: Void.self) { group in
            if let seconds {
                group.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(max(0, min(seconds, 86_400)) * 1_000_000_000))
                }
            }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        let id = self.state.withLock { state -> UInt64 in
            state.waiterID += 1
            return state.waiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    if state.waiterID != id || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                let waiter = state.waiterID == id ? state.waiter : nil
                if waiter != nil { state.waiter = nil }
                state.waiterID &+= 1
                return waiter
            }
            waiter?.resume()
        }
    }
}

import Foundation
import Synchronization

/// A thread that keeps one core busy until stopped: the load a busy server's other work puts on a daemon.
public final class CoreBurner: @unchecked Sendable {
    private let running = Atomic<Bool>(true)

    public init() {
        let thread = Thread { [self] in
            var x = 0.0
            while running.load(ordering: .relaxed) { x = (x + 1.000001).squareRoot() }
            _ = x
        }
        thread.start()
    }

    public func stop() { running.store(false, ordering: .relaxed) }

    deinit { stop() }
}

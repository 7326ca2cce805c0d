import Synchronization

/// The configuration in force, swapped atomically on SIGHUP; readers take a snapshot per unit of work.
public final class ConfigurationHolder: Sendable {
    private let current: Mutex<Configuration>
    private let wakeup: Wakeup?

    /// `wakeup` is signalled on every replacement, so the dispatcher applies it at once.
    public init(_ configuration: Configuration, wakeup: Wakeup? = nil) {
        current = Mutex(configuration)
        self.wakeup = wakeup
    }

    public var configuration: Configuration { current.withLock { $0 } }

    public func replace(with configuration: Configuration) {
        current.withLock { $0 = configuration }
        wakeup?.signal(.configuration)
    }
}

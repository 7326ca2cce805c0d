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

    private let replacements = Atomic<Int>(0)

    public var configuration: Configuration { current.withLock { $0 } }

    /// How many times the configuration was replaced: what is derived from it is stale once this moves.
    public var generation: Int { replacements.load(ordering: .acquiring) }

    public func replace(with configuration: Configuration) {
        current.withLock { $0 = configuration }
        replacements.add(1, ordering: .releasing)
        wakeup?.signal(.configuration)
    }
}

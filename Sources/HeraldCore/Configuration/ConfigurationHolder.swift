import Synchronization

/// The configuration in force, swapped atomically on SIGHUP; readers take a snapshot per unit of work.
public final class ConfigurationHolder: Sendable {
    private let current: Mutex<Configuration>

    public init(_ configuration: Configuration) { current = Mutex(configuration) }

    public var configuration: Configuration { current.withLock { $0 } }

    public func replace(with configuration: Configuration) { current.withLock { $0 = configuration } }
}

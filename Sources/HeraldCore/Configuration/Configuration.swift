import Foundation
import HeraldModel

/// Everything the daemon reads from its configuration file, with secrets resolved.
public struct Configuration: Sendable, Equatable {
    /// The spool root holding tmp/, incoming/, active/, done/, failed/ and data/.
    public var spoolDirectory: String
    /// Where the SQLite database lives.
    public var stateDirectory: String
    public var limits: SpoolLimits
    public var dispatch = DispatchSettings()
    /// Send options for jobs that do not set them (`[defaults]`: notification, link_previews, tracking).
    public var defaultOptions = SendOptions()
    /// The HTTP server's listen address (webhooks, click redirects, metrics).
    public var listenHost: String
    public var listenPort: Int
    /// The rest of `[http]`: the public base URL, request limits.
    public var http = HTTPSettings()
    /// How long a graceful stop may take before in-flight work is checkpointed and the daemon exits.
    public var drainTimeoutSeconds: Int
    public var accounts: [String: AccountConfiguration]
    /// Signs click-tracking tokens.
    public var clickSigningKey: Secret?
    /// The file this came from, or nil for the embedded defaults.
    public var sourcePath: String?

    /// The default configuration file.
    public static let defaultPath = "/etc/herald/herald.toml"

    /// The decoder jobs are validated and sent with, under this configuration.
    public func jobDecoder(now: Date) -> JobDecoder {
        JobDecoder(accounts: accountDirectory, now: now, maxDepth: limits.maxJSONDepth, defaultOptions: defaultOptions, canTrackLinks: http.publicURL != nil)
    }

    /// The accounts as job validation sees them.
    public var accountDirectory: AccountDirectory {
        AccountDirectory(accounts.mapValues(\.platform))
    }

    public var databasePath: String { stateDirectory + "/herald.sqlite" }

    /// The embedded defaults: a spool in ./spool, state in ~/.local/state/herald, tracked links on loopback, and two demo accounts
    /// (`shop_bot` on Telegram, `shop_page` on Messenger) without tokens, so jobs validate and queue. Run by systemd (which
    /// sets `INVOCATION_ID`), the paths are the system's: /var/spool/herald, and `$STATE_DIRECTORY` (StateDirectory=) or
    /// /var/lib/herald, never a `./spool` relative to `/`.
    public static func embeddedDefaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> Configuration {
        let stateHome = environment["XDG_STATE_HOME"] ?? ((environment["HOME"] ?? "/tmp") + "/.local/state")
        let underSystemd = !(environment["INVOCATION_ID"] ?? "").isEmpty
        let systemState = environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? "/var/lib/herald"
        let demo: [AccountConfiguration] = [
            AccountConfiguration(name: "shop_bot", platform: .telegram, apiBaseURL: "http://127.0.0.1:8089", token: nil, pageID: nil, appSecret: nil, graphVersion: "v25.0", rate: 30, paidBroadcast: false),
            AccountConfiguration(name: "shop_page", platform: .messenger, apiBaseURL: "http://127.0.0.1:8089", token: nil, pageID: "100000000000001", appSecret: nil, graphVersion: "v25.0", rate: 300, paidBroadcast: false),
        ]
        var configuration = Configuration(
            spoolDirectory: underSystemd ? "/var/spool/herald" : "spool", stateDirectory: underSystemd ? systemState : stateHome + "/herald", limits: SpoolLimits(),
            listenHost: "127.0.0.1", listenPort: 8080, drainTimeoutSeconds: 30,
            accounts: Dictionary(uniqueKeysWithValues: demo.map { ($0.name, $0) }), clickSigningKey: nil, sourcePath: nil
        )
        // Tracked links point at this machine: right for a try-out, and a configuration file says where the world reaches it.
        configuration.http.publicURL = "http://127.0.0.1:8080"
        return configuration
    }
}

/// The HTTP server's settings besides its address.
public struct HTTPSettings: Sendable, Equatable {
    /// Where the platforms and people reach this server (through a TLS reverse proxy): the base of tracked links
    /// and webhook URLs, like `https://herald.example.com`. Nil: no tracked links can be made.
    public var publicURL: String?
    /// Largest request body read, in bytes (Meta batches up to 1,000 events in one POST).
    public var maxBodyBytes = 4 * 1024 * 1024
    /// Requests per second one client address may make (a burst of twice that is allowed).
    public var requestsPerSecondPerClient = 500.0
    /// A connection idle this long is closed.
    public var idleTimeoutSeconds = 30
    /// A request body not received in this time is answered 408.
    public var requestTimeoutSeconds = 10
    /// Whether `GET /metrics` serves Prometheus metrics (keep it off the reverse proxy).
    public var metrics = true

    public init() {}
}

/// The worker pool and HTTP client.
public struct DispatchSettings: Sendable, Equatable {
    /// Calls out at once, across all accounts (half as many again may be marked `sending`, waiting for one).
    public var maxInFlight = 512
    /// Open HTTP connections (keep-alive, HTTP/2 where offered).
    public var maxConnections = 256
    /// Per-request timeout.
    public var requestTimeoutSeconds = 30
    /// PEM certificates trusted instead of the system's, for a platform endpoint behind a private authority.
    public var caFile: String?
    /// How long a failing delivery is retried, from its first attempt, before it fails for good.
    public var retryMaxAgeHours = 24
    /// How long a delivery that may have gone out (in flight at a crash, or unanswered) waits before it is
    /// sent again, flagged as a possible duplicate.
    public var uncertainRetrySeconds = 60
    /// During an account outage, the longest wait between two probes (they start 1–2 s apart and double).
    public var outageProbeMaxSeconds = 30

    public init() {}
}

/// The spool's limits and timers.
public struct SpoolLimits: Sendable, Equatable {
    /// Largest job file accepted, in bytes.
    public var maxJobBytes = 16 * 1024 * 1024
    /// Deepest JSON nesting accepted.
    public var maxJSONDepth = 32
    /// How long accepted files stay in done/ before they are deleted.
    public var doneRetentionSeconds = 7 * 86_400
    /// Rescan of incoming/ even without inotify events.
    public var rescanIntervalSeconds = 30
    /// Files claimed and recorded together in one transaction.
    public var batchSize = 256

    public init() {}
}

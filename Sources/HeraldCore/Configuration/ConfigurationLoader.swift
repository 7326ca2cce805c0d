import Foundation
import HeraldModel
import TOMLKit

/// Reads `herald.toml` (TOML), checks every setting with its path, and resolves secrets from files.
///
/// Secrets never live in the file itself: each is a path (`token_file = "…"`) or, under systemd,
/// a credential named `<account>.token`, `<account>.app_secret` or `click_signing_key` in `$CREDENTIALS_DIRECTORY`.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]
    /// False for commands that never call a platform (`submit`, `validate`, reports): secrets are located but not
    /// read, so that members of the spool's writer group can use them without access to the tokens.
    public var readsSecrets: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, readsSecrets: Bool = true) {
        self.environment = environment
        self.readsSecrets = readsSecrets
    }

    /// The file to read: `--config`, then `HERALD_CONFIG`, then /etc/herald/herald.toml (if it exists).
    public func resolvePath(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment["HERALD_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return FileManager.default.fileExists(atPath: Configuration.defaultPath) ? Configuration.defaultPath : nil
    }

    /// Loads the file at `path`, or the embedded defaults when `path` is nil.
    public func load(path: String?) throws(ConfigurationError) -> Configuration {
        guard let path else { return Configuration.embeddedDefaults(environment: environment) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): cannot read the configuration file")
        }
        guard data.count <= 1024 * 1024, let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path): the configuration file must be UTF-8 text under 1 MiB")
        }
        return try parse(text, path: path)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    public func parse(_ text: String, path: String) throws(ConfigurationError) -> Configuration {
        let json: String
        do {
            json = try TOMLTable(string: text).convert(to: .json)
        } catch let error as TOMLParseError {
            throw ConfigurationError(TOMLSyntaxWording(text: text).describe(
                parserMessage: error.description, line: Int(error.source.begin.line), column: Int(error.source.begin.column), path: path
            ))
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
        do {
            let value = try JSONParser(maxDepth: 16).parse(Array(json.utf8))
            return try build(JSONNode(value), path: path)
        } catch let error as JobValidationError {
            throw ConfigurationError("\(path): \(error.path): \(error.message)")
        } catch let error as ConfigurationError {
            throw ConfigurationError("\(path): \(error.description)")
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
    }

    private func build(_ root: JSONNode, path: String) throws -> Configuration {
        let directory = (path as NSString).deletingLastPathComponent
        func absolute(_ value: String) -> String {
            value.hasPrefix("/") || directory.isEmpty ? value : directory + "/" + value
        }
        var config = Configuration.embeddedDefaults(environment: environment)
        config.accounts = [:]
        config.http.publicURL = nil
        config.sourcePath = path
        var fields = try root.object()
        if let node = fields.optional("spool_dir") { config.spoolDirectory = absolute(try node.text(maxLength: 4096)) }
        if let node = fields.optional("state_dir") { config.stateDirectory = absolute(try node.text(maxLength: 4096)) }
        if let node = fields.optional("drain_timeout_seconds") { config.drainTimeoutSeconds = Int(try node.integer(in: 1...3600)) }
        if let node = fields.optional("spool") {
            var spool = try node.object()
            if let value = spool.optional("max_job_bytes") { config.limits.maxJobBytes = Int(try value.integer(in: 1024...(1 << 30))) }
            if let value = spool.optional("max_json_depth") { config.limits.maxJSONDepth = Int(try value.integer(in: 8...256)) }
            if let value = spool.optional("done_retention_hours") { config.limits.doneRetentionSeconds = Int(try value.integer(in: 0...87_600)) * 3600 }
            if let value = spool.optional("rescan_seconds") { config.limits.rescanIntervalSeconds = Int(try value.integer(in: 1...3600)) }
            if let value = spool.optional("batch_size") { config.limits.batchSize = Int(try value.integer(in: 1...10_000)) }
            try spool.finish()
        }
        if let node = fields.optional("dispatch") {
            var dispatch = try node.object()
            if let value = dispatch.optional("max_in_flight") { config.dispatch.maxInFlight = Int(try value.integer(in: 1...100_000)) }
            if let value = dispatch.optional("max_connections") { config.dispatch.maxConnections = Int(try value.integer(in: 1...10_000)) }
            if let value = dispatch.optional("request_timeout_seconds") { config.dispatch.requestTimeoutSeconds = Int(try value.integer(in: 1...600)) }
            if let value = dispatch.optional("ca_file") {
                let file = absolute(try value.string())
                // libcurl would only fail each request later, as a certificate problem.
                guard FileManager.default.isReadableFile(atPath: file) else {
                    throw ConfigurationError("dispatch.ca_file: cannot read \(file)")
                }
                config.dispatch.caFile = file
            }
            if let value = dispatch.optional("retry_max_age_hours") { config.dispatch.retryMaxAgeHours = Int(try value.integer(in: 1...720)) }
            if let value = dispatch.optional("uncertain_retry_seconds") { config.dispatch.uncertainRetrySeconds = Int(try value.integer(in: 1...86_400)) }
            if let value = dispatch.optional("outage_probe_max_seconds") { config.dispatch.outageProbeMaxSeconds = Int(try value.integer(in: 1...3600)) }
            try dispatch.finish()
        }
        if let node = fields.optional("defaults") {
            var defaults = try node.object()
            if let value = defaults.optional("notification") {
                config.defaultOptions.notification = SendOptions.Notification(rawValue: try value.oneOf(["regular", "silent", "no_push"]))!
            }
            if let value = defaults.optional("link_previews") { config.defaultOptions.linkPreviews = try value.bool() }
            if let value = defaults.optional("tracking") { config.defaultOptions.tracking = try value.bool() }
            try defaults.finish()
        }
        if let node = fields.optional("http") {
            var http = try node.object()
            if let value = http.optional("listen") { (config.listenHost, config.listenPort) = try listenAddress(value) }
            if let value = http.optional("public_url") {
                let url = try value.string()
                guard url.hasPrefix("https://") || isLoopbackHTTP(url), !url.hasSuffix("/"), !url.contains("@"), !url.contains("?"), !url.contains("#"), url.count <= 200 else {
                    throw value.error("invalid_url", "must be an https URL without a trailing slash, query or fragment, like \"https://herald.example.com\" (plain http only on loopback)")
                }
                config.http.publicURL = url
            }
            if let value = http.optional("max_body_bytes") { config.http.maxBodyBytes = Int(try value.integer(in: 1024...(64 << 20))) }
            if let value = http.optional("requests_per_second_per_client") { config.http.requestsPerSecondPerClient = try value.number(in: 1...1_000_000) }
            if let value = http.optional("idle_timeout_seconds") { config.http.idleTimeoutSeconds = Int(try value.integer(in: 1...3600)) }
            if let value = http.optional("request_timeout_seconds") { config.http.requestTimeoutSeconds = Int(try value.integer(in: 1...600)) }
            if let value = http.optional("metrics") { config.http.metrics = try value.bool() }
            try http.finish()
        }
        if let node = fields.optional("click_signing_key_file") {
            config.clickSigningKey = try readSecret(path: absolute(try node.string()), what: "click_signing_key_file")
        } else if let credential = credential("click_signing_key") {
            config.clickSigningKey = try readSecret(path: credential, what: "credential click_signing_key")
        }
        if let node = fields.optional("accounts") {
            var accounts = try node.object()
            for name in accounts.keys {
                let accountNode = accounts.optional(name) ?? JSONNode(.null, path: node.path.appending(name))
                guard isAccountName(name) else {
                    throw JobValidationError(path: accountNode.path, code: "invalid_name", "account names are 1–64 characters of a–z, 0–9, '_' and '-', starting with a letter")
                }
                config.accounts[name] = try account(name, accountNode, absolute: absolute)
            }
            try accounts.finish()
        }
        try fields.finish()
        return config
    }

    private func account(_ name: String, _ node: JSONNode, absolute: (String) -> String) throws -> AccountConfiguration {
        var fields = try node.object()
        let platform = Platform(rawValue: try fields.required("platform").oneOf(Platform.allCases.map(\.rawValue)))!
        var account = AccountConfiguration(
            name: name, platform: platform, apiBaseURL: AccountConfiguration.defaultBaseURL(for: platform), token: nil,
            pageID: nil, appSecret: nil, graphVersion: "v25.0", rate: AccountConfiguration.defaultRate(for: platform), paidBroadcast: false
        )
        if let value = fields.optional("api_base_url") {
            let url = try value.string()
            guard url.hasPrefix("https://") || isLoopbackHTTP(url),
                  !url.hasSuffix("/"), !url.contains("@")
            else {
                throw value.error("invalid_url", "must be an https URL without a trailing slash (plain http only for loopback test servers)")
            }
            account.apiBaseURL = url
        }
        account.token = try secret(fields.optional("token_file"), credential: "\(name).token", what: "accounts.\(name).token", absolute: absolute)
        if let value = fields.optional(platform == .telegram ? "username" : "page_name") {
            let name = try value.string()
            let bytes = Array(name.utf8)
            guard (1...64).contains(bytes.count), bytes.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
                throw value.error("invalid_value", "must be the bare name (letters, digits, _ . -), without @ or a URL")
            }
            account.publicName = name
        }
        if let value = fields.optional("paid_broadcast") {
            guard platform == .telegram else { throw value.error("wrong_platform", "is a Telegram setting") }
            account.paidBroadcast = try value.bool()
        }
        let ceiling: Double = platform == .telegram ? (account.paidBroadcast ? 1000 : 30) : 300
        if let value = fields.optional("rate") { account.rate = try value.number(in: 0.001...ceiling) }
        switch platform {
        case .messenger:
            account.pageID = try Recipient.platformID(try fields.required("page_id"), platform: .messenger)
            account.appSecret = try secret(fields.optional("app_secret_file"), credential: "\(name).app_secret", what: "accounts.\(name).app_secret", absolute: absolute)
            account.verifyToken = try secret(fields.optional("verify_token_file"), credential: "\(name).verify_token", what: "accounts.\(name).verify_token", absolute: absolute)
            if let value = fields.optional("graph_version") {
                let version = try value.string()
                let digits = version.dropFirst().split(separator: ".")
                guard version.hasPrefix("v"), digits.count == 2, digits.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                    throw value.error("invalid_value", "must be a Graph API version like \"v25.0\"")
                }
                account.graphVersion = version
            }
        case .telegram:
            account.webhookSecret = try secret(fields.optional("webhook_secret_file"), credential: "\(name).webhook_secret", what: "accounts.\(name).webhook_secret", absolute: absolute)
            if let secret = account.webhookSecret, readsSecrets {
                let bytes = secret.value.utf8
                guard (1...256).contains(bytes.count), bytes.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
                    throw ConfigurationError("accounts.\(name).webhook_secret: Telegram takes 1–256 characters of A–Z, a–z, 0–9, _ and - (\(secret.origin))")
                }
            }
            if let value = fields.optional("updates") {
                account.updates = AccountConfiguration.UpdatesMode(rawValue: try value.oneOf(AccountConfiguration.UpdatesMode.allCases.map(\.rawValue)))!
                if account.updates == .webhook, account.webhookSecret == nil {
                    throw value.error("missing_secret", "a webhook needs webhook_secret_file (or the credential \(name).webhook_secret), so that forged updates are refused")
                }
            }
            for messengerOnly in ["page_id", "app_secret_file", "graph_version", "verify_token_file"] where fields.optional(messengerOnly) != nil {
                throw JobValidationError(path: node.path.appending(messengerOnly), code: "wrong_platform", "is a Messenger setting")
            }
        }
        try fields.finish()
        return account
    }

    private func secret(_ node: JSONNode?, credential name: String, what: String, absolute: (String) -> String) throws -> Secret? {
        if let node { return try readSecret(path: absolute(try node.string()), what: what) }
        if let path = credential(name) { return try readSecret(path: path, what: "credential \(name)") }
        return nil
    }

    /// The secret at `path`, or a placeholder naming it when secrets are not read.
    private func readSecret(path: String, what: String) throws(ConfigurationError) -> Secret {
        readsSecrets ? try Secret.read(path: path, what: what) : Secret(value: "", origin: path)
    }

    /// The path of a systemd credential, if the service was given one by that name.
    private func credential(_ name: String) -> String? {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else { return nil }
        let path = directory + "/" + name
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    private func listenAddress(_ node: JSONNode) throws(JobValidationError) -> (String, Int) {
        let text = try node.string()
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw node.error("invalid_value", "must be host:port, like \"127.0.0.1:8080\" (port 0: any free port, logged at start)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw node.error("invalid_value", "must name a host, like \"127.0.0.1:8080\"") }
        return (host, port)
    }

    private func isLoopbackHTTP(_ url: String) -> Bool {
        url.hasPrefix("http://127.") || url.hasPrefix("http://localhost") || url.hasPrefix("http://[::1]")
    }

    private func isAccountName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes[0] >= 0x61, bytes[0] <= 0x7A else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }
}

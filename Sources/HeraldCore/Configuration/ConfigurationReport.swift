/// The resolved configuration as text for `herald config check`: every setting, secrets shown only by origin.
public struct ConfigurationReport: Sendable {
    public var configuration: Configuration
    public var path: String?

    public init(configuration: Configuration, path: String?) {
        self.configuration = configuration
        self.path = path
    }

    public var text: String {
        let c = configuration
        var lines = [
            "# configuration: \(path ?? "embedded defaults (no file)")",
            "spool_dir = \(quote(c.spoolDirectory))",
            "state_dir = \(quote(c.stateDirectory))",
            "drain_timeout_seconds = \(c.drainTimeoutSeconds)",
            "click_signing_key = \(secret(c.clickSigningKey))",
            "",
            "[spool]",
            "max_job_bytes = \(c.limits.maxJobBytes)",
            "max_json_depth = \(c.limits.maxJSONDepth)",
            "done_retention_hours = \(c.limits.doneRetentionSeconds / 3600)",
            "rescan_seconds = \(c.limits.rescanIntervalSeconds)",
            "batch_size = \(c.limits.batchSize)",
            "",
            "[dispatch]",
            "max_in_flight = \(c.dispatch.maxInFlight)",
            "max_connections = \(c.dispatch.maxConnections)",
            "request_timeout_seconds = \(c.dispatch.requestTimeoutSeconds)",
            c.dispatch.caFile.map { "ca_file = \(quote($0))" } ?? "# ca_file: unset, the system's certificates",
            "retry_max_age_hours = \(c.dispatch.retryMaxAgeHours)",
            "uncertain_retry_seconds = \(c.dispatch.uncertainRetrySeconds)",
            "outage_probe_max_seconds = \(c.dispatch.outageProbeMaxSeconds)",
            "",
            "[defaults]",
            "notification = \(quote(c.defaultOptions.notification.rawValue))",
            "link_previews = \(c.defaultOptions.linkPreviews)",
            "tracking = \(c.defaultOptions.tracking)",
            "",
            "[http]",
            "listen = \(quote(c.listenHost.contains(":") ? "[\(c.listenHost)]:\(c.listenPort)" : "\(c.listenHost):\(c.listenPort)"))",
            "public_url = \(quote(c.http.publicURL ?? ""))\(c.http.publicURL == nil ? "  # not set: no tracked links" : "")",
            "max_body_bytes = \(c.http.maxBodyBytes)",
            "requests_per_second_per_client = \(c.http.requestsPerSecondPerClient)",
            "idle_timeout_seconds = \(c.http.idleTimeoutSeconds)",
            "request_timeout_seconds = \(c.http.requestTimeoutSeconds)",
            "metrics = \(c.http.metrics)",
        ]
        for name in c.accounts.keys.sorted() {
            let account = c.accounts[name]!
            lines += ["", "[accounts.\(name)]", "platform = \(quote(account.platform.rawValue))", "api_base_url = \(quote(account.apiBaseURL))",
                      "token = \(secret(account.token))", "rate = \(account.rate)"]
            switch account.platform {
            case .telegram:
                lines += ["paid_broadcast = \(account.paidBroadcast)", "updates = \(quote(account.updates.rawValue))", "webhook_secret = \(secret(account.webhookSecret))"]
            case .messenger:
                lines += ["page_id = \(quote(account.pageID ?? ""))", "graph_version = \(quote(account.graphVersion))", "app_secret = \(secret(account.appSecret))",
                          "verify_token = \(secret(account.verifyToken))"]
            }
        }
        var warnings: [String] = []
        for name in c.accounts.keys.sorted() where c.accounts[name]!.token == nil {
            warnings.append("# warning: account \(name) has no token: jobs for it are accepted but cannot be sent")
        }
        return (lines + (warnings.isEmpty ? [] : [""] + warnings)).joined(separator: "\n") + "\n"
    }

    private func secret(_ secret: Secret?) -> String {
        secret.map { "\"<redacted>\"  # from \($0.origin)" } ?? "\"\"  # not set"
    }

    private func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

import Foundation

import Foundation
import HeraldCore
import HeraldModel
import Testing

@Suite final class ConfigurationLoaderTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func secret(_ name: String, _ value: String, mode: Int = 0o600) throws -> String {
        let path = directory + "/" + name
        try Data((value + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func load(_ text: String, environment: [String: String] = [:]) throws -> HeraldCore.Configuration {
        try ConfigurationLoader(environment: environment).parse(text, path: directory + "/herald.toml")
    }

    func failure(_ text: String, environment: [String: String] = [:]) -> String {
        do {
            _ = try load(text, environment: environment)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func load_whenComplete_resolvesAccountsAndSecrets() throws {
        _ = try secret("bot.token", "123456:ABC-secret-token")
        _ = try secret("page.token", "EAAG-page-token")
        let configuration = try load("""
            spool_dir = "/var/spool/herald"
            state_dir = "state"
            [spool]
            max_job_bytes = 65536
            done_retention_hours = 48
            [http]
            listen = "[::1]:9090"
            [dispatch]
            retry_max_age_hours = 6
            [accounts.shop_bot]
            platform = "telegram"
            token_file = "bot.token"
            rate = 25
            [accounts.shop_page]
            platform = "messenger"
            page_id = "1234567890"
            token_file = "page.token"
            graph_version = "v25.0"
            api_base_url = "http://127.0.0.1:8089"
            """)
        #expect(configuration.spoolDirectory == "/var/spool/herald")
        #expect(configuration.stateDirectory == directory + "/state")
        #expect(configuration.limits.maxJobBytes == 65536)
        #expect(configuration.limits.doneRetentionSeconds == 48 * 3600)
        #expect(configuration.listenHost == "::1" && configuration.listenPort == 9090)
        #expect(configuration.dispatch.retryMaxAgeHours == 6)
        #expect(configuration.accounts["shop_bot"]?.token?.value == "123456:ABC-secret-token")
        #expect(configuration.accounts["shop_bot"]?.rate == 25)
        #expect(configuration.accounts["shop_page"]?.apiBaseURL == "http://127.0.0.1:8089")
        #expect(configuration.accountDirectory.platforms == ["shop_bot": .telegram, "shop_page": .messenger])
    }

    @Test func defaults_applyToJobsThatDoNotSetTheirOwnOptions() throws {
        var configuration = try load("[defaults]\nnotification = \"silent\"\nlink_previews = false\n[accounts.shop_bot]\nplatform = \"telegram\"\n")
        configuration.limits.maxJSONDepth = 32
        let decoder = configuration.jobDecoder(now: Date())
        let plain = try decoder.decode(Array(#"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#.utf8))
        let own = try decoder.decode(Array(#"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}, "options": {"notification": "regular"}}"#.utf8))
        guard case .campaign(let a) = plain.body, case .campaign(let b) = own.body else { Issue.record("not campaigns"); return }
        #expect(a.options.notification == .silent && a.options.linkPreviews == false)
        #expect(b.options.notification == .regular && b.options.linkPreviews == false)
        #expect(failure("[defaults]\nnotification = \"loud\"").contains(#""loud" is not one of"#))
    }

    @Test func caFile_isResolvedBesideTheFile_andAnUnreadableOneIsRefusedAtLoad() throws {
        let pem = directory + "/private-ca.pem"
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: URL(fileURLWithPath: pem))
        #expect(try load("").dispatch.caFile == nil)
        let configuration = try load("[dispatch]\nca_file = \"private-ca.pem\"\n")
        #expect(configuration.dispatch.caFile == pem)
        #expect(ConfigurationReport(configuration: configuration, path: "herald.toml").text.contains("ca_file = \"\(pem)\""))
        #expect(failure("[dispatch]\nca_file = \"missing.pem\"\n").contains("dispatch.ca_file: cannot read \(directory)/missing.pem"))
    }

    @Test func report_neverShowsSecrets() throws {
        _ = try secret("bot.token", "123456:ABC-secret-token")
        let configuration = try load("[accounts.shop_bot]\nplatform = \"telegram\"\ntoken_file = \"bot.token\"\n")
        let text = ConfigurationReport(configuration: configuration, path: "herald.toml").text
        #expect(!text.contains("ABC-secret-token"))
        #expect(text.contains("token = \"<redacted>\"  # from \(directory)/bot.token"))
        #expect("\(configuration.accounts["shop_bot"]!.token!)" == "<redacted>")
        #expect(!"\(configuration)".contains("ABC-secret-token"))
    }

    @Test func load_whenSecretIsWorldReadable_refusesWithTheFix() throws {
        let path = try secret("open.token", "x", mode: 0o644)
        let message = failure("[accounts.b]\nplatform = \"telegram\"\ntoken_file = \"open.token\"\n")
        #expect(message.contains("readable by others (mode 644); run: chmod 640 \(path) (or 600)"))
        #expect(!message.contains("\"x\""))
    }

    @Test(arguments: [0o660, 0o602, 0o620])
    func load_whenSecretIsWritableByGroupOrOthers_refusesWithTheFix(mode: Int) throws {
        let path = try secret("writable.token", "x", mode: mode)
        let message = failure("[accounts.b]\nplatform = \"telegram\"\ntoken_file = \"writable.token\"\n")
        #expect(message.contains("writable by group or others (mode \(String(mode, radix: 8))); run: chmod 640 \(path)"))
    }

    @Test(arguments: [0o600, 0o640, 0o400, 0o440])
    func load_whenSecretIsPrivateOrGroupReadable_acceptsIt(mode: Int) throws {
        _ = try secret("shop_bot.token", "123:abc", mode: mode)
        let configuration = try load("[accounts.shop_bot]\nplatform = \"telegram\"\ntoken_file = \"shop_bot.token\"\n")
        #expect(configuration.accounts["shop_bot"]?.token?.value == "123:abc")
    }

    @Test func load_withoutReadingSecrets_locatesThemWithoutOpeningThem() throws {
        // A spool writer (herald submit, validate) cannot read the tokens: the file is unreadable to it.
        let path = try secret("shop_bot.token", "123:abc", mode: 0o000)
        _ = try secret("hook.secret", "not valid for telegram!", mode: 0o000)
        let text = "[accounts.shop_bot]\nplatform = \"telegram\"\ntoken_file = \"shop_bot.token\"\nwebhook_secret_file = \"hook.secret\"\nupdates = \"webhook\"\n"
        let configuration = try ConfigurationLoader(environment: [:], readsSecrets: false).parse(text, path: directory + "/herald.toml")
        #expect(configuration.accounts["shop_bot"]?.token?.origin == path)
        #expect(configuration.accounts["shop_bot"]?.token?.value == "")
        #expect(configuration.accounts["shop_bot"]?.updates == .webhook)
    }

    @Test func load_whenCredentialsDirectoryHasToken_usesIt() throws {
        _ = try secret("shop_bot.token", "from-credentials", mode: 0o400)
        let configuration = try load("[accounts.shop_bot]\nplatform = \"telegram\"\n", environment: ["CREDENTIALS_DIRECTORY": directory])
        #expect(configuration.accounts["shop_bot"]?.token?.value == "from-credentials")
    }

    @Test(arguments: [
        ("spool_dirr = \"x\"", #"unknown field "spool_dirr" (did you mean "spool_dir"?)"#),
        ("[accounts.x]\nplatform = \"whatsapp\"", #""whatsapp" is not one of"#),
        ("[accounts.X]\nplatform = \"telegram\"", "account names are"),
        ("[accounts.x]\nplatform = \"telegram\"\nrate = 31", "must be a number between 0.001 and 30.0"),
        ("[accounts.x]\nplatform = \"telegram\"\npage_id = \"1\"", "is a Messenger setting"),
        ("[accounts.x]\nplatform = \"messenger\"", "accounts.x.page_id: is required"),
        ("[accounts.x]\nplatform = \"telegram\"\napi_base_url = \"http://evil.example\"", "must be an https URL"),
        ("[accounts.x]\nplatform = \"telegram\"\ntoken_file = \"missing\"", "cannot read secret file"),
        ("[http]\nlisten = \"localhost\"", "must be host:port"),
        ("[spool]\nmax_job_bytes = 1", "must be between 1024"),
        ("[dispatch]\nretry_max_age_hours = 0", "dispatch.retry_max_age_hours"),
        ("spool_dir = ", "herald.toml:1"),
        ("a = 1\na = 2", "herald.toml:2"),
    ])
    func load_whenInvalid_namesFileAndSetting(text: String, expected: String) {
        let message = failure(text)
        #expect(message.contains(expected), "\(message)")
        #expect(message.hasPrefix(directory + "/herald.toml"))
    }

    @Test(arguments: [
        ("rate = abc", "2:8: this value is not something TOML knows: put text in double quotes", "    2 | rate = abc\n      |        ^"),
        ("name = \"open", "2:13: a string is not closed on this line", "    2 | name = \"open\n      |             ^"),
        ("x = [1,", "the file ends before this array is closed", "    2 | x = [1,"),
        ("x = 1\nx = 2", "3:5: 'x' is already set above: each setting and table may appear only once", "    3 | x = 2"),
        ("x = ", "a setting needs a value after '='", "    2 | x = "),
        ("rate = 1.2.3", "this number is not written as TOML writes numbers", "    2 | rate = 1.2.3"),
    ])
    func load_whenTOMLIsBroken_saysWhatAndWhereInPlainWords(text: String, expected: String, excerpt: String) {
        let message = failure("spool_dir = \"spool\"\n" + text + "\n")
        #expect(message.hasPrefix(directory + "/herald.toml:"), "\(message)")
        #expect(message.contains(expected), "\(message)")
        #expect(message.contains(excerpt), "\(message)")
        #expect(!message.contains("Error while parsing") && !message.contains("could not determine"), "\(message)")
    }

    @Test func embeddedDefaults_underSystemd_areTheSystemPaths() {
        let interactive = HeraldCore.Configuration.embeddedDefaults(environment: ["HOME": "/home/ada"])
        #expect(interactive.spoolDirectory == "spool" && interactive.stateDirectory == "/home/ada/.local/state/herald")
        let service = HeraldCore.Configuration.embeddedDefaults(environment: ["INVOCATION_ID": "0f3c", "STATE_DIRECTORY": "/var/lib/herald:/var/lib/other"])
        #expect(service.spoolDirectory == "/var/spool/herald" && service.stateDirectory == "/var/lib/herald")
        let noStateDirectory = HeraldCore.Configuration.embeddedDefaults(environment: ["INVOCATION_ID": "0f3c", "HOME": "/"])
        #expect(noStateDirectory.stateDirectory == "/var/lib/herald")
    }

    @Test func packagedConfiguration_loads_andSetsTheSystemPaths() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd/herald.toml").path
        let configuration = try ConfigurationLoader(environment: [:]).load(path: path)
        #expect(configuration.spoolDirectory == "/var/spool/herald" && configuration.stateDirectory == "/var/lib/herald")
        #expect(configuration.accounts.isEmpty)
        // Every commented setting, uncommented, is one Herald knows
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("# ") && (line.contains(" = ") || line.hasPrefix("# [")) ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        _ = try secret("x.token", "123:abc")
        text = text.replacingOccurrences(of: #"/etc/herald/credentials/shop_bot.token"#, with: directory + "/x.token")
            .replacingOccurrences(of: #"/etc/herald/credentials/shop_page.token"#, with: directory + "/x.token")
        for name in ["shop_bot.webhook_secret", "shop_page.app_secret", "shop_page.verify_token"] {
            _ = try secret(name, "s3cret")
            text = text.replacingOccurrences(of: "/etc/herald/credentials/" + name, with: directory + "/" + name)
        }
        _ = try secret("click.key", String(repeating: "k", count: 32))
        text = text.replacingOccurrences(of: "/etc/herald/click.key", with: directory + "/click.key")
        _ = try secret("ca.pem", "-----BEGIN CERTIFICATE-----", mode: 0o644)
        text = text.replacingOccurrences(of: "/etc/herald/ca.pem", with: directory + "/ca.pem")
        let everything = try ConfigurationLoader(environment: [:]).parse(text, path: directory + "/herald.toml")
        #expect(everything.accounts.keys.sorted() == ["shop_bot", "shop_page"])
        #expect(everything.http.publicURL == "https://herald.example.com")
        #expect(everything.dispatch.caFile == directory + "/ca.pem")
    }
}

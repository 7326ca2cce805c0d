import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald telegram set-webhook | delete-webhook | webhook-info`: a bot's webhook, managed with its own
/// token and secret from the configuration.
struct TelegramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telegram", abstract: "A Telegram bot's webhook.",
        discussion: "Examples:\n  herald telegram set-webhook shop_bot\n  herald telegram webhook-info shop_bot",
        subcommands: [SetWebhook.self, DeleteWebhook.self, WebhookInfo.self]
    )

    struct SetWebhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-webhook",
            abstract: "Point the bot's updates at Herald (default URL: public_url + /webhooks/telegram/ACCOUNT), with the account's webhook secret.",
            discussion: """
                Set updates = "webhook" for the account too, so that Herald stops long polling (Telegram allows one or the other).
                Examples:
                  herald telegram set-webhook shop_bot
                  herald telegram set-webhook shop_bot https://herald.example.com/webhooks/telegram/shop_bot --drop-pending-updates
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The Telegram account, as named in the configuration.") var account: String
        @Argument(help: "The HTTPS URL Telegram should POST to.") var url: String?
        @Flag(help: "Drop the updates Telegram holds for the bot.") var dropPendingUpdates = false

        func run() async throws {
            let (configuration, account) = try TelegramCommand.account(options, self.account)
            guard let secret = account.webhookSecret else {
                printError("herald: account \(account.name) has no webhook secret; set webhook_secret_file (1–256 characters of A–Z a–z 0–9 _ -) so forged updates are refused")
                throw ExitCode(78)
            }
            guard let target = url ?? configuration.http.publicURL.map({ "\($0)/webhooks/telegram/\(account.name)" }) else {
                printError("herald: give the URL, or set [http] public_url so the default URL can be made")
                throw ExitCode(64)
            }
            var parameters: JSONObject = [
                "url": .string(target), "secret_token": .string(secret.value),
                "allowed_updates": .array(TelegramPoller.allowedUpdates.map { .string($0) }),
            ]
            if dropPendingUpdates { parameters.insert("drop_pending_updates", .bool(true)) }
            try await TelegramCommand.call(account, "setWebhook", parameters)
            print("\(account.name): webhook set to \(target)")
        }
    }

    struct DeleteWebhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete-webhook", abstract: "Remove the bot's webhook (then getUpdates long polling works).", discussion: "Example: herald telegram delete-webhook shop_bot"
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The Telegram account.") var account: String

        func run() async throws {
            let (_, account) = try TelegramCommand.account(options, self.account)
            try await TelegramCommand.call(account, "deleteWebhook", [:])
            print("\(account.name): webhook removed")
        }
    }

    struct WebhookInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook-info", abstract: "What Telegram says of the bot's webhook: URL, pending updates, last error.", discussion: "Example: herald telegram webhook-info shop_bot"
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The Telegram account.") var account: String

        func run() async throws {
            let (_, account) = try TelegramCommand.account(options, self.account)
            let info = try await TelegramCommand.call(account, "getWebhookInfo", [:])
            let url = info["url"]?.stringValue ?? ""
            print("url: \(url.isEmpty ? "(none: long polling)" : url)")
            print("pending_update_count: \(info["pending_update_count"]?.int64Value ?? 0)")
            if let date = info["last_error_date"]?.int64Value {
                print("last_error: \(Date(timeIntervalSince1970: Double(date))) \(info["last_error_message"]?.stringValue ?? "")")
            }
            if let updates = info["allowed_updates"]?.arrayValue { print("allowed_updates: \(updates.compactMap(\.stringValue).joined(separator: ", "))") }
        }
    }

    static func account(_ options: ConfigurationOptions, _ name: String) throws -> (Configuration, AccountConfiguration) {
        let (_, configuration) = try options.load()
        guard let account = configuration.accounts[name], account.platform == .telegram else {
            let names = configuration.accounts.values.filter { $0.platform == .telegram }.map(\.name).sorted()
            printError("herald: no Telegram account \(name) (Telegram accounts: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            throw ExitCode(64)
        }
        guard account.token != nil else {
            printError("herald: account \(name) has no token (token_file or the credential \(name).token)")
            throw ExitCode(78)
        }
        return (configuration, account)
    }

    /// Calls the Bot API; a failure prints Telegram's description and exits 1.
    @discardableResult
    static func call(_ account: AccountConfiguration, _ method: String, _ parameters: JSONObject) async throws -> JSONValue {
        let transport = try CurlTransport(maxConnections: 2, timeout: .seconds(30))
        let result = await TelegramBotAPI(account: account, transport: transport).call(method, parameters)
        await transport.shutdown()
        switch result {
        case .success(let value): return value
        case .failure(let failure):
            printError("herald: \(method) for \(account.name) failed: \(failure.description)")
            throw ExitCode(1)
        }
    }
}

import Foundation
import HeraldTesting
import Testing

/// `herald telegram …` against the loopback Bot API: the webhook is set with the account's secret and
/// Herald's update types, reported, and removed; mistakes get clear errors.
@Suite struct TelegramCommandTests {
    @Test func setInfoAndDeleteWebhook() async throws {
        let server = try PlatformServer()
        let workspace = try Workspace()
        defer { workspace.remove() }
        let secretFile = workspace.root + "/bot.webhook"
        try Data("hook_secret-1\n".utf8).write(to: URL(fileURLWithPath: secretFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile)
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken, extra: "webhook_secret_file = \"\(secretFile)\"")

        let set = try await runCommandOffPool(["telegram", "set-webhook", "--config", workspace.config, "shop_bot"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("webhook set to https://herald.example.com/webhooks/telegram/shop_bot"))
        let call = try #require(try server.requests().last { $0.path.hasSuffix("/setWebhook") })
        #expect(call.body == canonical(#"{"url":"https://herald.example.com/webhooks/telegram/shop_bot","secret_token":"hook_secret-1","allowed_updates":["message","edited_message","callback_query","my_chat_member"]}"#))

        let info = try await runCommandOffPool(["telegram", "webhook-info", "--config", workspace.config, "shop_bot"])
        #expect(info.status == 0 && info.stdout.contains("url: https://herald.example.com/webhooks/telegram/shop_bot"), "\(info.stdout)\(info.stderr)")

        let delete = try await runCommandOffPool(["telegram", "delete-webhook", "--config", workspace.config, "shop_bot"])
        #expect(delete.status == 0 && delete.stdout.contains("webhook removed"))
        #expect(try await runCommandOffPool(["telegram", "webhook-info", "--config", workspace.config, "shop_bot"]).stdout.contains("url: (none: long polling)"))
    }

    @Test func mistakes_getClearErrors() async throws {
        let server = try PlatformServer()
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken)
        let noSecret = try await runCommandOffPool(["telegram", "set-webhook", "--config", workspace.config, "shop_bot"])
        #expect(noSecret.status == 78 && noSecret.stderr.contains("has no webhook secret"))
        let unknown = try await runCommandOffPool(["telegram", "webhook-info", "--config", workspace.config, "nobody"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no Telegram account nobody (Telegram accounts: shop_bot)"))
        try workspace.configureBot(baseURL: server.baseURL, token: "999:wrong")
        let refused = try await runCommandOffPool(["telegram", "webhook-info", "--config", workspace.config, "shop_bot"])
        #expect(refused.status == 1 && refused.stderr.contains("getWebhookInfo for shop_bot failed: Unauthorized"), "\(refused.stderr)")
    }
}

import Foundation

/// The simulated Telegram Bot API: `/bot<TOKEN>/<method>`, checked and answered as Telegram does.
enum BotAPI {
    /// Answers one call (all but `getUpdates`, which waits) and plans what people do after it.
    static func handle(method: String, body: [String: WireJSON], state: inout SimulatorState, now: Double) -> PlatformAnswer {
        let settings = state.settings
        switch method {
        case "getMe":
            let id = Int64(settings.telegramToken.prefix { $0 != ":" }) ?? 0
            return ok(["id": .int(id), "is_bot": true, "first_name": "Shop", "username": .string(settings.telegramUsername), "can_join_groups": true])
        case "setMyDescription", "setMyShortDescription":
            let (field, limit) = method == "setMyDescription" ? ("description", 512) : ("short_description", 120)
            guard let text = body[field]?.string ?? (body[field] == nil ? "" : nil), text.utf16.count <= limit else {
                return TelegramError.badRequest("\(field) is too long").answer
            }
            state.descriptions[field] = text
            return ok(true)
        case "setWebhook":
            guard let url = body["url"]?.string, url.isEmpty || url.hasPrefix("https://") else {
                return TelegramError.badRequest("bad webhook: An HTTPS URL must be provided for webhook").answer
            }
            if let token = body["secret_token"] {
                guard let text = token.string, (1...256).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                    return TelegramError.badRequest("secret token contains unallowed characters").answer
                }
            }
            state.webhookURL = url
            state.webhookSecret = body["secret_token"]?.string
            state.allowedUpdates = body["allowed_updates"]
            if body["drop_pending_updates"]?.bool == true { state.updates.removeAll() }
            return .json(200, ["ok": true, "result": true, "description": .string(url.isEmpty ? "Webhook was deleted" : "Webhook was set")])
        case "deleteWebhook":
            state.webhookURL = ""
            state.webhookSecret = nil
            if body["drop_pending_updates"]?.bool == true { state.updates.removeAll() }
            return .json(200, ["ok": true, "result": true, "description": "Webhook was deleted"])
        case "getWebhookInfo":
            var info: [String: WireJSON] = ["url": .string(state.webhookURL), "has_custom_certificate": false, "pending_update_count": .int(Int64(state.updates.count))]
            if let allowed = state.allowedUpdates { info["allowed_updates"] = allowed }
            return ok(.object(info))
        case "answerCallbackQuery":
            guard body["callback_query_id"]?.string?.isEmpty == false else { return TelegramError.badRequest("query_id is empty").answer }
            if let text = body["text"]?.string, text.utf16.count > 200 { return TelegramError.badRequest("MESSAGE_TOO_LONG").answer }
            state.count("callback_answered")
            return ok(true)
        default:
            return send(method: method, body: body, state: &state, now: now)
        }
    }

    private static func send(method: String, body: [String: WireJSON], state: inout SimulatorState, now: Double) -> PlatformAnswer {
        if let problem = TelegramRules.check(method: method, body) { return problem.answer }
        let chat = body["chat_id"]!
        let chatID = chat.int ?? Int64(chat.string ?? "") ?? 0
        let violated = [
            state.limits.over("bot", kind: "telegram_bot", limit: state.settings.telegramBotLimit ?? (body["allow_paid_broadcast"]?.bool == true ? 1000 : 30), window: 1, now: now),
            chatID > 0 && state.limits.over("chat:\(chatID)", kind: "telegram_chat", limit: 1, window: 1, now: now),
            chatID < 0 && state.limits.over("group:\(chatID)", kind: "telegram_group", limit: 20, window: 60, now: now),
        ].contains(true)
        if violated && state.settings.enforceLimits {
            state.count("telegram_429")
            state.sends.rejected += 1
            return TelegramError(code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1).answer
        }
        if let person = state.population.person(.telegram, String(chatID)) {
            switch person.reachability {
            case .blocked: return TelegramError.forbidden("bot was blocked by the user").answer
            case .deactivated: return TelegramError.forbidden("user is deactivated").answer
            case .neverStarted: return TelegramError.forbidden("bot can't initiate conversation with a user").answer
            case .reachable: break
            }
        }
        let field = TelegramRules.sendMethods[method]!
        let messageID = state.messageID()
        var result: [String: WireJSON] = [
            "message_id": .int(messageID), "date": .int(Int64(Date().timeIntervalSince1970)),
            "chat": ["id": .int(chatID), "type": .string(chatID > 0 ? "private" : "supergroup")],
        ]
        let value = body[field]!.string!
        // The same file gets the same id, as Telegram's file_id for a file the bot has sent.
        let digest = value.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } % 100_000_000
        let fileID = field == "photo" ? "AgAC-\(digest)" : "BAAC-\(field)-\(digest)"
        switch field {
        case "text": result["text"] = .string((try? TelegramRules.visible(value, parseMode: body["parse_mode"]?.string).get()) ?? value)
        case "photo": result["photo"] = [["file_id": "AgAC-small", "width": 90, "height": 90], ["file_id": .string(fileID), "width": 1280, "height": 1280]]
        default: result[field] = ["file_id": .string(fileID)]
        }
        if let caption = body["caption"] { result["caption"] = caption }
        if let markup = body["reply_markup"] { result["reply_markup"] = markup }
        state.count("telegram_sent")
        state.sends.accepted(at: now)
        if let person = state.population.person(.telegram, String(chatID)) {
            PeopleBehaviour.received(telegram: .object(result), by: person, state: &state, now: now)
        }
        return ok(.object(result))
    }

    static func ok(_ result: WireJSON) -> PlatformAnswer { .json(200, ["ok": true, "result": result]) }
}

extension OutgoingMessage {
    /// The same call sending an already uploaded file by its platform id instead of by URL.
    public func reusing(mediaID: String) -> OutgoingMessage {
        guard let url = mediaURL, case .object(var body) = body else { return self }
        var copy = self
        if endpoint == "messages" {
            // Messenger: message.attachment.payload {url, is_reusable} → {attachment_id}
            guard case .object(var message) = body["message"], case .object(var attachment) = message["attachment"] else { return self }
            attachment.set("payload", .object(["attachment_id": .string(mediaID)]))
            message.set("attachment", .object(attachment))
            body.set("message", .object(message))
        } else {
            // Telegram: the field named after the media kind (photo, video, audio, document) holds the URL.
            guard let field = body.keys.first(where: { body[$0] == .string(url.string) }) else { return self }
            body.set(field, .string(mediaID))
        }
        copy.body = .object(body)
        return copy
    }
}

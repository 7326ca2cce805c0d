/// Length and count limits of one platform's messages, in UTF-16 code units where they are lengths.
///
/// Messenger: text 2000, button-template text 640, button titles 20, payloads 1000, 1–3 buttons,
/// 10 cards with titles and subtitles of 80, 13 quick replies. Telegram: text 4096, captions 1024,
/// callback data 64 bytes. Where Telegram publishes no limit (button text, buttons per message),
/// Herald uses 64 characters and 100 buttons, what the official clients handle.
public struct PlatformLimits: Sendable, Equatable {
    public var text: Int
    public var textWithButtons: Int
    public var caption: Int
    public var buttonTitle: Int
    public var buttonsPerMessage: Int
    public var postbackPayloadBytes: Int
    public var cards: Int
    public var cardTitle: Int
    public var cardSubtitle: Int
    public var buttonsPerCard: Int
    public var quickReplies: Int
    public var quickReplyTitle: Int

    public static let messenger = PlatformLimits(
        text: 2000, textWithButtons: 640, caption: 2000, buttonTitle: 20, buttonsPerMessage: 3,
        postbackPayloadBytes: 1000, cards: 10, cardTitle: 80, cardSubtitle: 80, buttonsPerCard: 3,
        quickReplies: 13, quickReplyTitle: 20
    )

    public static let telegram = PlatformLimits(
        text: 4096, textWithButtons: 4096, caption: 1024, buttonTitle: 64, buttonsPerMessage: 100,
        postbackPayloadBytes: 64, cards: 10, cardTitle: 80, cardSubtitle: 80, buttonsPerCard: 3,
        quickReplies: 13, quickReplyTitle: 64
    )
}

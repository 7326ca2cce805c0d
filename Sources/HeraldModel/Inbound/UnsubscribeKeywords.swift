import Foundation

/// Decides whether a message asks to unsubscribe: the whole message (trimmed, without closing punctuation or
/// a leading slash) equals a keyword, ignoring case and accents. Whole-message matching is the SMS industry's
/// rule: "stop" unsubscribes, "don't stop the offers" does not.
public struct UnsubscribeKeywords: Sendable, Equatable {
    /// Built in, for English, Italian, Spanish, French, German and Portuguese.
    public static let builtIn = [
        "stop", "stop all", "stopall", "unsubscribe", "cancel", "end", "quit", "opt out", "optout",
        "disiscriviti", "disiscrivimi", "cancellami", "annulla iscrizione", "basta",
        "baja", "darme de baja", "dar de baja", "cancelar suscripcion", "parar", "alto",
        "arret", "arreter", "desabonner", "me desabonner", "desinscrire", "desinscription", "desabonnement",
        "stopp", "abmelden", "abbestellen", "austragen", "abmeldung",
        "sair", "cancelar inscricao", "descadastrar", "descadastre",
    ]

    let keywords: Set<String>

    /// The built-in words plus the account's own (from its `automation` job's `unsubscribe_keywords`).
    public init(extra: [String] = []) {
        keywords = Set((UnsubscribeKeywords.builtIn + extra).map(UnsubscribeKeywords.normalize))
    }

    public func matches(_ text: String) -> Bool {
        keywords.contains(UnsubscribeKeywords.normalize(text))
    }

    /// Lowercased, accents removed, whitespace collapsed, a leading "/" and trailing punctuation dropped.
    public static func normalize(_ text: String) -> String {
        var folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        folded = folded.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if folded.hasPrefix("/") { folded.removeFirst() }
        while let last = folded.last, last.isPunctuation || last.isSymbol { folded.removeLast() }
        return folded
    }
}

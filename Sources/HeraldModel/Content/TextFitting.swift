/// Shortens text to a platform limit counted in UTF-16 code units (the unit both platforms count in),
/// cutting only between grapheme clusters and marking the cut with "…".
public enum TextFitting {
    public static let ellipsis: Character = "…"

    /// `text` unchanged when it fits in `limit` UTF-16 units; otherwise its longest grapheme-cluster prefix
    /// that still fits with "…" after it.
    public static func fit(_ text: String, utf16Limit limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        guard limit > 0 else { return "" }
        var budget = limit - 1
        var end = text.startIndex
        for character in text {
            let width = character.utf16.count
            if width > budget { break }
            budget -= width
            end = text.index(after: end)
        }
        var shortened = String(text[..<end])
        while shortened.last?.isWhitespace == true { shortened.removeLast() }
        return shortened + String(ellipsis)
    }
}

/// Whether a view of a growth tool counts: a person's browser, not a crawler, a link preview, a headless or
/// automated browser, or a prefetch the browser made before anyone looked.
public enum GrowthVisit {
    /// Headless and automation browsers that announce themselves like people otherwise do.
    static let automated = ["headlesschrome", "phantomjs", "lighthouse", "chrome-lighthouse", "pagespeed", "gtmetrix", "pingdom", "uptimerobot"]

    /// `purpose` is the first of `Sec-Purpose`, `Purpose`, `X-Purpose` and `X-Moz` the request carried.
    public static func isPerson(userAgent: String?, purpose: String?) -> Bool {
        if let purpose, !purpose.isEmpty { return false }
        guard ClickAgent.classify(userAgent) == .human, let agent = userAgent?.lowercased() else { return false }
        return !automated.contains(where: agent.contains)
    }
}

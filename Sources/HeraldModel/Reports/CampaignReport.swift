/// One campaign in detail: its funnel, every tracked link and button with its clicks, and sends, reads and clicks
/// over time.
public struct CampaignReport: Sendable, Equatable {
    /// A tracked link (URL button, card link) or a button the platform reports (postback, quick reply, callback).
    public struct Target: Sendable, Equatable {
        /// `link` for a tracked URL, `button` for a payload.
        public var kind: String
        /// The URL, or the button's payload.
        public var value: String
        /// Distinct people who clicked it, and all their clicks.
        public var humans: Int
        public var total: Int
        /// Fetches by preview bots and unknown agents (links only).
        public var bots: Int
        public init(kind: String, value: String, humans: Int, total: Int, bots: Int) {
            self.kind = kind
            self.value = value
            self.humans = humans
            self.total = total
            self.bots = bots
        }
    }

    /// What happened in one interval.
    public struct Bucket: Sendable, Equatable {
        /// The interval's start, epoch milliseconds.
        public var start: Int64
        public var sent: Int
        public var read: Int
        public var clicks: Int
        public init(start: Int64, sent: Int, read: Int, clicks: Int) {
            self.start = start
            self.sent = sent
            self.read = read
            self.clicks = clicks
        }
    }

    public var funnel: CampaignFunnel
    public var targets: [Target]
    /// The series' interval, in seconds.
    public var bucketSeconds: Int
    public var series: [Bucket]

    public init(funnel: CampaignFunnel, targets: [Target], bucketSeconds: Int, series: [Bucket]) {
        self.funnel = funnel
        self.targets = targets
        self.bucketSeconds = bucketSeconds
        self.series = series
    }

    /// An interval that gives a campaign of `span` milliseconds about 20 to 60 buckets, at least a second.
    public static func bucketSeconds(forSpan span: Int64) -> Int {
        let steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86_400]
        return steps.first { Int64($0) * 1000 * 60 >= span } ?? 86_400
    }
}

/// One recipient's line of a campaign: what happened to their delivery.
public struct RecipientRow: Sendable, Equatable {
    public var platformID: String
    public var name: String?
    public var state: String
    public var reason: String?
    public var attempts: Int
    public var sentAt: Int64?
    public var deliveredAt: Int64?
    public var readAt: Int64?
    public var clicks: Int
    public var possibleDuplicate: Bool

    public init(platformID: String, name: String?, state: String, reason: String?, attempts: Int, sentAt: Int64?, deliveredAt: Int64?, readAt: Int64?, clicks: Int, possibleDuplicate: Bool) {
        self.platformID = platformID
        self.name = name
        self.state = state
        self.reason = reason
        self.attempts = attempts
        self.sentAt = sentAt
        self.deliveredAt = deliveredAt
        self.readAt = readAt
        self.clicks = clicks
        self.possibleDuplicate = possibleDuplicate
    }
}

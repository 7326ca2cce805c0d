/// A campaign created by `createCampaign`.
public struct CreatedCampaign: Sendable, Equatable {
    public var campaignID: Int64
    public var jobID: JobID
    /// One line, as a job's detail reads.
    public var summary: String

    public init(campaignID: Int64, jobID: JobID, summary: String) {
        self.campaignID = campaignID
        self.jobID = jobID
        self.summary = summary
    }
}

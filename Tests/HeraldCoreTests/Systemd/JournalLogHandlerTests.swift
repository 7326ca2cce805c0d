@testable import HeraldCore
import Testing

@Suite struct JournalLogHandlerTests {
    @Test(arguments: [("job.id", "HERALD_JOB_ID"), ("campaign.id", "HERALD_CAMPAIGN_ID"), ("account", "HERALD_ACCOUNT"), ("event", "HERALD_EVENT"), ("wé!rd-key", "HERALD_W___RD_KEY")])
    func fieldName_mapsMetadataKeysToJournalFields(key: String, field: String) {
        #expect(JournalLogHandler.fieldName(key) == field)
    }

    @Test func fieldName_isBoundedAt64Characters() {
        #expect(JournalLogHandler.fieldName(String(repeating: "a", count: 100)).count == 64)
    }
}

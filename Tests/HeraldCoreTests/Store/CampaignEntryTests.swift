import Foundation
import GRDB
import HeraldCore
import HeraldModel
import HeraldTesting
import Testing

/// The store's one way in for campaigns that never were a job file, and the dispatcher sending stored specs.
@Suite(.serialized) struct CampaignEntryTests {
    static func welcomeSpec() throws -> CampaignSpec {
        let job = try JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram]), now: Date())
            .decode(Array(#"{"type": "message", "account": "shop_bot", "to": ["1"], "message": {"modules": [{"type": "text", "text": "Welcome, {{first_name}}!"}]}}"#.utf8))
        return try #require(CampaignDraft(job)).spec
    }

    @Test func enqueueMessage_withoutAJobFile_isSentAtOnceAndTrackedAsAJob() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { parts in
            // Given an automated reply created through the store, not the spool
            let created = try await parts.store.enqueueMessage(
                account: "shop_bot", spec: try Self.welcomeSpec(), to: [Recipient(platformID: "4242", firstName: "Ada")],
                jobID: JobID(unchecked: "welcome-4242"), origin: "automation welcome", source: "telegram_start", now: Date()
            )
            #expect(created.summary.hasPrefix("message \(created.campaignID) due now, 1 recipients"))
            parts.wakeup.signal(.jobs)
            // Then it goes out and its job completes like any other
            try await eventually("message sent") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM jobs WHERE id = 'welcome-4242'") } == "completed"
            }
        }
        let bodies = try server.requests().map(\.body)
        #expect(bodies == [canonical(#"{"chat_id":4242,"text":"Welcome, Ada!","parse_mode":"HTML"}"#)])
        try harness.query { (db: Database) throws in
            let job = try #require(try Row.fetchOne(db, sql: "SELECT kind, file_name, body FROM jobs WHERE id = 'welcome-4242'"))
            #expect(job["kind"] as String == "message")
            #expect(job["file_name"] as String == "automation welcome")
            #expect(try CampaignSpec.decode(job["body"]) == (try Self.welcomeSpec()).with(audience: .listed))
            #expect(try String.fetchOne(db, sql: "SELECT source FROM subscribers WHERE platform_id = '4242'") == "telegram_start")
        }
    }

    @Test func createCampaign_refusesADuplicateIdOrAnUnknownSubscriber_andWritesNothing() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { parts in
            var spec = try Self.welcomeSpec()
            spec.audience = .listed
            let later = Date().millisecondsSince1970 + 86_400_000
            let draft = CampaignDraft(kind: .campaign, account: "shop_bot", spec: spec, audience: .subscribers(["777"]), sendAt: later)
            // An unknown listed subscriber: refused with the path to it
            await #expect { try await parts.store.createCampaign(draft, jobID: JobID(unchecked: "feed-1"), origin: "feed blog", now: Date()) } throws: { error in
                (error as? JobValidationError)?.code == "unknown_subscriber" && (error as? JobValidationError)?.path.description == "audience.subscribers[0]"
            }
            #expect(try harness.jobCount() == 0)
            // A duplicate id: refused, naming what holds it
            var tagged = draft
            tagged.audience = .tags(include: ["vip"], exclude: [])
            tagged.spec.audience = .tags(include: ["vip"], exclude: [])
            _ = try await parts.store.createCampaign(tagged, jobID: JobID(unchecked: "feed-1"), origin: "feed blog", now: Date())
            await #expect { try await parts.store.createCampaign(tagged, jobID: JobID(unchecked: "feed-1"), origin: "feed other", now: Date()) } throws: { error in
                (error as? JobValidationError)?.code == "duplicate_id" && "\(error)".contains("feed blog")
            }
            #expect(try harness.jobCount() == 1)
            #expect(try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns") } == "scheduled")
        }
    }

    @Test func dispatcher_sendsTheStoredSpec_neverTheJobText() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { parts in
            // Given a campaign accepted for tomorrow
            let tomorrow = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            try harness.drop(#"{"type": "message", "id": "later", "account": "shop_bot", "to": ["55"], "message": {"modules": [{"type": "text", "text": "From the spec"}]}}"#, as: "m.json")
            // The message makes subscriber 55, whom the campaign names: it must be in before the campaign is read
            // (a batch reads the oldest file first, and two files dropped within the same clock tick can come in
            // either order: the campaign was then refused for naming an unknown subscriber, now and then)
            try await eventually("message accepted") { harness.names(in: .done).count == 1 }
            try harness.drop(#"{"type": "campaign", "id": "spec-only", "account": "shop_bot", "audience": {"subscribers": ["55"]}, "send_at": ""# + tomorrow + #"", "message": {"modules": [{"type": "text", "text": "Stored spec"}]}}"#, as: "c.json")
            try await eventually("both accepted") { harness.names(in: .done).count == 2 }
            // When its job text is destroyed and it is made due
            let queue = try harness.writableQueue()
            try await queue.write { db in
                try db.execute(sql: "UPDATE jobs SET body = 'garbage' WHERE id = 'spec-only'")
                try db.execute(sql: "UPDATE campaigns SET send_at = 0 WHERE job_id = 'spec-only'")
            }
            try queue.close()
            parts.wakeup.signal(.jobs)
            // Then it is sent from its stored spec
            try await eventually("campaign completed") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'spec-only'") } == "completed"
            }
        }
        #expect(try server.requests().map(\.body).contains(canonical(#"{"chat_id":55,"text":"Stored spec","parse_mode":"HTML"}"#)))
    }
}

extension CampaignSpec {
    func with(audience: AudienceRule) -> CampaignSpec {
        var copy = self
        copy.audience = audience
        return copy
    }
}

import Foundation
import HeraldCore
import Testing

@Suite struct LogTargetTests {
    @Test func resolve_whenJournalForcedWithoutASocket_fallsBackToConsoleWithAWarning() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-journal-\(UUID().uuidString)").path
        let (target, warning) = try LogTarget.resolve(environment: ["HERALD_LOG_TARGET": "journal"], journalSocket: missing)
        #expect(target == .console)
        #expect(warning?.contains("no journal listens at \(missing)") == true)
    }

    @Test func resolve_whenJournalPathIsAPlainFile_fallsBackToConsole() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try LogTarget.resolve(environment: ["HERALD_LOG_TARGET": "journal"], journalSocket: file).target == .console)
    }

    @Test func resolve_whenConsoleForced_isConsoleWithoutWarning() throws {
        let (target, warning) = try LogTarget.resolve(environment: ["HERALD_LOG_TARGET": "console", "JOURNAL_STREAM": "1:2"])
        #expect(target == .console)
        #expect(warning == nil)
    }

    @Test func resolve_whenValueUnknown_throwsNamingIt() {
        #expect(throws: LogTargetError.self) { try LogTarget.resolve(environment: ["HERALD_LOG_TARGET": "Journal"]) }
    }
}

import Foundation
import HeraldModel

/// A feed's or growth tool's stored settings (what its jobs left, merged) decoded again as the job that would
/// create it: what is polled or served is validated against the configuration of today, not of its intake.
enum StoredSettings {
    static func decode(type: String, name: String, settings: String, configuration: Configuration, now: Date) throws -> Job.Body {
        guard case .object(let stored) = try JSONParser().parse(Array(settings.utf8)) else { throw StoredSettingsError("the stored settings of \(type) \(name) are not a JSON object") }
        var document = JSONObject([("type", .string(type)), ("action", .string("create")), ("name", .string(name))])
        for key in stored.keys { document.insert(key, stored[key]!) }
        return try configuration.jobDecoder(now: now).decode(.object(document)).body
    }
}

/// Stored settings that cannot be decoded as their job.
public struct StoredSettingsError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

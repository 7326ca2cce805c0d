import Foundation
import HeraldModel

/// The outcome of the daemon's latest reload, in `state_dir/reload.json`, so that `herald reload` (systemd's
/// ExecReload) can wait for it and fail when the new configuration was refused.
public struct ReloadRecord: Sendable, Equatable {
    /// The daemon that reloaded, and how many reloads it has made since it started.
    public var pid: Int32
    public var count: Int
    public var ok: Bool
    public var error: String?

    public init(pid: Int32, count: Int, ok: Bool, error: String?) {
        self.pid = pid
        self.count = count
        self.ok = ok
        self.error = error
    }

    public static func path(stateDirectory: String) -> String { stateDirectory + "/reload.json" }

    /// Writes the record by rename, so a reader never sees half of it.
    public func write(stateDirectory: String) throws {
        var object: JSONObject = ["pid": .number(String(pid)), "count": .number(String(count)), "ok": .bool(ok)]
        if let error { _ = object.insert("error", .string(error)) }
        let path = Self.path(stateDirectory: stateDirectory)
        try Data((JSONValue.object(object).jsonText + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The record in a state directory, if there is a readable one.
    public static func read(stateDirectory: String) -> ReloadRecord? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)), data.count < 65_536,
              case .object(let object)? = try? JSONParser().parse(Array(data)),
              case .number(let pid)? = object["pid"], let pidValue = Int32(pid),
              case .number(let count)? = object["count"], let countValue = Int(count),
              case .bool(let ok)? = object["ok"]
        else { return nil }
        var error: String?
        if case .string(let text)? = object["error"] { error = text }
        return ReloadRecord(pid: pidValue, count: countValue, ok: ok, error: error)
    }
}

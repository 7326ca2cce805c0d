import Foundation
import HeraldModel

/// Validation of a job file outside the daemon, for `herald validate` and `herald submit`:
/// the same decoder and limits the daemon applies at intake.
public struct JobFileCheck: Sendable {
    public var configuration: Configuration
    public var now: Date

    public init(configuration: Configuration, now: Date = Date()) {
        self.configuration = configuration
        self.now = now
    }

    /// Reads a file (or standard input for "-") within the size cap.
    public func read(_ path: String) throws(JobValidationError) -> [UInt8] {
        let limit = configuration.limits.maxJobBytes
        if path == "-" {
            var bytes: [UInt8] = []
            while let chunk = try? FileHandle.standardInput.read(upToCount: 65_536), !chunk.isEmpty {
                bytes += chunk
                if bytes.count > limit { throw JobValidationError(path: .root, code: "too_large", "standard input is larger than \(limit) bytes") }
            }
            if bytes.isEmpty { throw JobValidationError(path: .root, code: "empty", "standard input is empty: expected a JSON object") }
            return bytes
        }
        return try SpoolDirectory.readFile(path: path, maxBytes: limit)
    }

    /// Parses and validates; also checks a `subscribers` job's data file when it exists in the spool.
    public func validate(_ bytes: [UInt8]) throws(JobValidationError) -> (Job, JSONValue) {
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: configuration.limits.maxJSONDepth).parse(bytes)
        } catch {
            throw JobValidationError(path: error.path, code: "malformed_json", "not valid JSON: \(error)")
        }
        let decoder = configuration.jobDecoder(now: now)
        let job = try decoder.decode(document)
        if case .subscribers(let subscribers) = job.body, case .file(let dataPath) = subscribers.source {
            let spool = SpoolDirectory(root: configuration.spoolDirectory)
            let data: [UInt8]
            do {
                data = try spool.readFile(dataPath.fileName, in: .data, maxBytes: 512 * 1024 * 1024)
            } catch {
                throw JobValidationError(path: JSONPath.root.appending("file"), code: error.code, "\(spool.path(.data, dataPath.fileName)): \(error.message)")
            }
            _ = try SubscriberFile.parse(data, format: dataPath.format, platform: subscribers.platform, path: JSONPath.root.appending("file"))
        }
        return (job, document)
    }

    /// The valid `"id"` of a file that may be invalid otherwise, so that its rejection can name the job.
    public func readableID(_ bytes: [UInt8]) -> JobID? {
        (try? JSONParser(maxDepth: configuration.limits.maxJSONDepth).parse(bytes)).flatMap(JobID.readable(in:))
    }

    /// How a rejection names the file: its path, and its job id when it has a readable one.
    public func label(_ file: String, bytes: [UInt8]) -> String {
        readableID(bytes).map { "\(file) (job \($0))" } ?? file
    }

    /// The job text with `"id"` added after the opening brace when the file has none.
    public static func withID(_ bytes: [UInt8], id: JobID) -> [UInt8] {
        guard let brace = bytes.firstIndex(of: UInt8(ascii: "{")) else { return bytes }
        var text = Array(bytes[...brace])
        var field = ""
        JSONValue.writeString(id.rawValue, to: &field)
        text += Array("\"id\":\(field),".utf8)
        let rest = bytes[(brace + 1)...]
        // `{}` must not become `{"id":"x",}`.
        if rest.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "}") { text.removeLast() }
        return text + rest
    }
}

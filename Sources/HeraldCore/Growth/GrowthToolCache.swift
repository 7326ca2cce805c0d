import Synchronization

/// Growth tools made ready to serve (validated, links built, script and QR codes rendered), kept until the
/// tool or the configuration changes: a page view costs a primary-key read, not a validation and a render.
final class GrowthToolCache: Sendable {
    /// One tool as served, with what it was built from.
    struct Entry: Sendable {
        var updatedAt: Int64
        var generation: Int
        var pages: GrowthToolPages
        var script: String
        /// The script gzip-compressed, for browsers that accept it (all do): a third of its size.
        var gzippedScript: [UInt8]?
        var codes: [String: String] = [:]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The entry for `name` if it was built from this version of the tool and of the configuration.
    func entry(_ name: String, updatedAt: Int64, generation: Int) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[name], entry.updatedAt == updatedAt, entry.generation == generation else { return nil }
            return entry
        }
    }

    func store(_ name: String, _ entry: Entry) {
        entries.withLock { $0[name] = entry }
    }

    /// A QR code's SVG, rendered once per link.
    func code(_ name: String, key: String, render: () throws -> String?) rethrows -> String? {
        if let svg = entries.withLock({ $0[name]?.codes[key] }) { return svg }
        guard let svg = try render() else { return nil }
        entries.withLock { $0[name]?.codes[key] = svg }
        return svg
    }
}

import Foundation
import FoundationXML

/// An XML document as a small tree of elements (namespace, local name, attributes, text), read with
/// FoundationXML's parser: entity declarations refused (no billion laughs), external entities never fetched,
/// HTML named entities that old RSS relies on (`&eacute;`) read from the HTML table, bounded in size.
final class XMLTree {
    final class Element {
        let namespace: String
        let name: String
        let attributes: [String: String]
        var text = ""
        var children: [Element] = []

        init(namespace: String, name: String, attributes: [String: String]) {
            self.namespace = namespace
            self.name = name
            self.attributes = attributes
        }

        /// The first child with that name (in that namespace, when given).
        func child(_ name: String, _ namespace: String? = nil) -> Element? {
            children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
        }

        func all(_ name: String, _ namespace: String? = nil) -> [Element] {
            children.filter { $0.name == name && (namespace == nil || $0.namespace == namespace) }
        }

        /// The text of a child, trimmed; nil when absent or empty.
        func value(_ name: String, _ namespace: String? = nil) -> String? {
            guard let raw = child(name, namespace)?.text, !raw.isEmpty else { return nil }
            // Trimming through CharacterSet is slow on Linux; most values have nothing to trim.
            let padded = raw.first!.isWhitespace || raw.last!.isWhitespace
            let text = padded ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
            return text.isEmpty ? nil : text
        }

        /// Everything inside, as XHTML text would read (for Atom `type="xhtml"`).
        var deepText: String {
            children.isEmpty ? text : text + children.map(\.deepText).joined(separator: " ")
        }
    }

    /// Bounds on what a feed may make the parser build.
    static let maxElements = 200_000
    static let maxDepth = 64

    /// The document's bytes are copied once, into the `Data` the parser reads (twice when HTML entities are rewritten).
    static func parse(_ bytes: [UInt8]) throws(FeedParseError) -> Element {
        if let declaration = entityDeclaration(in: bytes) {
            throw FeedParseError("the feed declares \(declaration), which Herald refuses: entities are how expansion (billion laughs) and file-reading (XXE) attacks work")
        }
        let builder = Builder()
        let parser = XMLParser(data: Data(numericHTMLEntities(bytes)))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let refusal = builder.refusal { throw FeedParseError(refusal) }
        guard ok, let root = builder.root, builder.stack.isEmpty else {
            if ok, builder.root != nil { throw FeedParseError("the feed is not well-formed XML: it ends before its elements are closed (truncated?)") }
            let line = parser.lineNumber
            let detail = (parser.parserError as NSError?).map { XMLTree.wording($0.code) } ?? "it is not well-formed XML"
            throw FeedParseError("the feed is not well-formed XML: \(detail) (line \(line))")
        }
        return root
    }

    /// An entity declaration in the document type declaration (`an entity (<!ENTITY x …>)`), or nil. The DOCTYPE
    /// comes before the root element, so only the bytes before the first element are looked at for it.
    static func entityDeclaration(in document: [UInt8]) -> String? {
        let bytes: [UInt8]
        if document.starts(with: [0xFF, 0xFE]) || document.starts(with: [0xFE, 0xFF]) {
            bytes = Array((String(data: Data(document.prefix(1 << 20)), encoding: .utf16) ?? "").utf8)
        } else {
            // Markup is ASCII in every other encoding a feed may declare.
            bytes = Array(document.prefix(1 << 20))
        }
        guard let doctype = find(Array("<!DOCTYPE".utf8), in: bytes, from: 0, caseInsensitive: true, before: { $0 == UInt8(ascii: "<") }) else { return nil }
        guard let entity = find(Array("<!ENTITY".utf8), in: bytes, from: doctype, caseInsensitive: false, before: { _ in false }) else { return nil }
        // Past the end of the internal subset, `<!ENTITY` is text, not a declaration.
        if let end = find(Array("]>".utf8), in: bytes, from: doctype, caseInsensitive: false, before: { _ in false }), end < entity { return nil }
        let rest = String(decoding: bytes[(entity + 8)...].prefix(512), as: UTF8.self)
        let name = rest.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? "?"
        let external = rest.contains("SYSTEM") || rest.contains("PUBLIC")
        return external ? "an external entity (<!ENTITY \(name) SYSTEM …>)" : "entities (<!ENTITY \(name) …>)"
    }

    /// The index of `needle` in `bytes` from `start`; for the DOCTYPE search, giving up at the first element
    /// (a `<` not followed by `?` or `!`).
    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, caseInsensitive: Bool, before stop: (UInt8) -> Bool) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if stop(bytes[index]), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "?"), bytes[index + 1] != UInt8(ascii: "!") { return nil }
            var matched = true
            for offset in 0..<needle.count {
                var byte = bytes[index + offset]
                if caseInsensitive, (97...122).contains(byte) { byte -= 32 }
                if byte != needle[offset] {
                    matched = false
                    break
                }
            }
            if matched { return index }
            index += 1
        }
        return nil
    }

    /// `&eacute;` and HTML's other named entities as numeric references (`&#233;`): XML knows only five names,
    /// and old RSS uses HTML's through a DTD that is never fetched. Names are ASCII, so this is done on the bytes
    /// of any ASCII-compatible encoding; UTF-16 documents are left as they are.
    static func numericHTMLEntities(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] != 0, bytes[1] != 0, bytes.starts(with: [0xFF, 0xFE]) == false,
              bytes.starts(with: [0xFE, 0xFF]) == false, bytes.contains(UInt8(ascii: "&"))
        else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var index = 0
        let xml: Set<String> = ["amp", "lt", "gt", "quot", "apos"]
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, end - index <= 32, isNameByte(bytes[end]) { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: ";"), end > index + 1, isLetter(bytes[index + 1]) {
                let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                if !xml.contains(name), let character = HTMLText.entity(name), let scalar = character.unicodeScalars.first {
                    out += Array("&#\(scalar.value);".utf8)
                    index = end + 1
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
    private static func isNameByte(_ byte: UInt8) -> Bool { isLetter(byte) || (48...57).contains(byte) }

    /// libxml2's error numbers, in words, for the ones feeds hit.
    static func wording(_ code: Int) -> String {
        switch code {
        case 4: "the document is empty or not XML"
        case 5: "the document ends too early (truncated?)"
        case 9: "it contains a character XML does not allow"
        case 26: "it uses an undeclared entity"
        case 27: "it uses an entity that is not defined"
        case 32, 33, 38, 39, 40, 41, 73, 76, 77: "a tag is not closed or closed with another name"
        case 89: "entities expand too much (an entity loop or expansion attack)"
        default: "libxml2 error \(code)"
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: Element?
        var stack: [Element] = []
        var count = 0
        var refusal: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            count += 1
            guard count <= XMLTree.maxElements, stack.count < XMLTree.maxDepth else {
                refuse(parser, count > XMLTree.maxElements ? "the feed has more than \(XMLTree.maxElements) elements" : "the feed nests deeper than \(XMLTree.maxDepth) elements")
                return
            }
            let element = Element(namespace: namespaceURI ?? "", name: name, attributes: attributes)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            stack.last?.text += String(decoding: block, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            refuse(parser, "the feed declares entities (<!ENTITY \(name)>), which Herald refuses: they are how expansion and file-reading attacks work")
        }

        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            refuse(parser, "the feed declares an external entity (<!ENTITY \(name) SYSTEM …>), which Herald never fetches or reads")
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            // Undefined entities reach here: RSS 0.91 documents use HTML's through a DTD nobody fetches.
            guard systemID == nil, let character = HTMLText.entity(name) else { return nil }
            return Data(character.utf8)
        }

        private func refuse(_ parser: XMLParser, _ reason: String) {
            guard refusal == nil else { return }
            refusal = reason
            parser.abortParsing()
        }
    }
}

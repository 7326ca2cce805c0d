import CCairo
import Foundation
import HeraldModel

/// The ready-to-post image of a `page_image` tool: 1080 × 1080 (the square Facebook recommends for image posts),
/// the tool's title and colours, its QR code on a white card, and the call to action, drawn with cairo in
/// DejaVu Sans (the Debian package depends on fonts-dejavu-core).
public struct GrowthImage: Sendable {
    public static let side = 1080

    public var title: String
    public var callToAction: String
    public var link: String
    public var background: String
    public var foreground: String

    public init(title: String, callToAction: String, link: String, background: String, foreground: String) {
        self.title = title
        self.callToAction = callToAction
        self.link = link
        self.background = background
        self.foreground = foreground
    }

    /// Writes the PNG to `path`.
    public func writePNG(to path: String) throws {
        let code = try QRCodeImage(link)
        let side = Double(Self.side)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(Self.side), Int32(Self.side)) else {
            throw QRCodeImage.Failure(description: "cairo cannot make a \(Self.side) px image")
        }
        defer { cairo_surface_destroy(surface) }
        guard let context = cairo_create(surface) else { throw QRCodeImage.Failure(description: "cairo cannot draw") }
        defer { cairo_destroy(context) }
        let (br, bg, bb) = Self.rgb(background), (fr, fg, fb) = Self.rgb(foreground)
        cairo_set_source_rgb(context, br, bg, bb)
        cairo_paint(context)
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
        cairo_set_source_rgb(context, fr, fg, fb)
        // The title, wrapped to at most three lines of the width, above the code.
        cairo_set_font_size(context, 64)
        var y = 150.0
        for line in Self.wrap(title, width: side - 160, context: context).prefix(3) {
            Self.centered(line, y: y, side: side, context: context)
            y += 80
        }
        // The code on a white card, with its quiet zone.
        let card = 560.0, top = max(y - 20, 330)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_rectangle(context, (side - card) / 2, top, card, card)
        cairo_fill(context)
        let modules = Double(code.modules.count + 8)
        let scale = (card - 40) / modules
        let origin = (side - card) / 2 + 20 + 4 * scale
        cairo_set_source_rgb(context, 0, 0, 0)
        for (row, line) in code.modules.enumerated() {
            for (column, dark) in line.enumerated() where dark {
                cairo_rectangle(context, origin + Double(column) * scale, top + 20 + 4 * scale + Double(row) * scale, scale, scale)
            }
        }
        cairo_fill(context)
        cairo_set_source_rgb(context, fr, fg, fb)
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, 44)
        var below = top + card + 90
        for line in Self.wrap(callToAction, width: side - 160, context: context).prefix(2) {
            Self.centered(line, y: below, side: side, context: context)
            below += 56
        }
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else { throw QRCodeImage.Failure(description: "cannot write \(path): \(String(cString: cairo_status_to_string(status)))") }
    }

    static func centered(_ text: String, y: Double, side: Double, context: OpaquePointer) {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        cairo_move_to(context, (side - extents.x_advance) / 2, y)
        cairo_show_text(context, text)
    }

    /// Words into lines no wider than `width` at the current font.
    static func wrap(_ text: String, width: Double, context: OpaquePointer) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            var extents = cairo_text_extents_t()
            cairo_text_extents(context, candidate, &extents)
            if extents.x_advance > width, !current.isEmpty {
                lines.append(current)
                current = word
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// `#rrggbb` as cairo's 0…1 components.
    static func rgb(_ hex: String) -> (Double, Double, Double) {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        return (Double((value >> 16) & 0xFF) / 255, Double((value >> 8) & 0xFF) / 255, Double(value & 0xFF) / 255)
    }
}

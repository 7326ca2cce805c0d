import CCairo
import CQRencode
import Foundation

/// A QR code (libqrencode, error correction Q: a quarter of it may be smudged, as print gets) drawn with cairo as PNG and SVG: black modules on white,
/// with the four-module quiet zone scanners need.
public struct QRCodeImage: Sendable {
    /// The modules, row by row (true: dark).
    public let modules: [[Bool]]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1) else {
            throw Failure(description: "cannot encode \(text.utf8.count) bytes as a QR code: \(String(cString: strerror(errno)))")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        modules = (0..<width).map { row in (0..<width).map { column in code.pointee.data[row * width + column] & 1 == 1 } }
    }

    /// Writes the code to `path` as PNG, `scale` pixels per module.
    public func writePNG(to path: String, scale: Int = 8) throws {
        let side = Int32((modules.count + 8) * scale)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side) else { throw Failure(description: "cairo cannot make a \(side) px image") }
        defer { cairo_surface_destroy(surface) }
        draw(on: surface, scale: Double(scale))
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else { throw Failure(description: "cannot write \(path): \(String(cString: cairo_status_to_string(status)))") }
    }

    /// Writes the code to `path` as SVG, `scale` points per module.
    public func writeSVG(to path: String, scale: Int = 8) throws {
        let side = Double((modules.count + 8) * scale)
        guard let surface = cairo_svg_surface_create(path, side, side) else { throw Failure(description: "cairo cannot make \(path)") }
        draw(on: surface, scale: Double(scale))
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw Failure(description: "cannot write \(path): \(String(cString: cairo_status_to_string(status)))") }
    }

    private func draw(on surface: OpaquePointer, scale: Double) {
        let context = cairo_create(surface)
        defer { cairo_destroy(context) }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_set_source_rgb(context, 0, 0, 0)
        for (row, line) in modules.enumerated() {
            for (column, dark) in line.enumerated() where dark {
                cairo_rectangle(context, Double(column + 4) * scale, Double(row + 4) * scale, scale, scale)
            }
        }
        cairo_fill(context)
    }
}

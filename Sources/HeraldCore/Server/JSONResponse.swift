import HeraldModel
import Hummingbird

/// Herald's answers: JSON bodies, errors as `{"error": code, "message": text}`.
enum JSONResponse {
    static func ok(_ object: JSONObject = ["ok": .bool(true)], status: HTTPResponse.Status = .ok) -> Response {
        body(JSONValue.object(object).jsonText, status: status)
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        body(JSONValue.object(["error": .string(code), "message": .string(message)]).jsonText, status: status)
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func body(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

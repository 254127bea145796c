import HTTPTypes
import Hummingbird

/// Responses whose body is JSON text (often built by PostgreSQL itself).
public enum JSONResponse {
    /// A response with `text` as its body.
    public static func make(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

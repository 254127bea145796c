import Foundation
import HTTPTypes
import Hummingbird

/// The web console: static files from the build's resources (`Resources/console`), served at
/// `/console/`; no build step, nothing fetched from elsewhere. The files are read once.
struct ConsoleRoutes {
    /// The console's files by name, with their content types.
    static let files: [String: (contentType: String, body: ByteBuffer)] = {
        guard let folder = Bundle.module.url(forResource: "console", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var files: [String: (String, ByteBuffer)] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = (contentType(of: name), ByteBuffer(bytes: data))
        }
        return files
    }()

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        default: return "application/octet-stream"
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        // One route for /console and /console/ (the router does not tell them apart): the page's
        // relative links need the slash.
        router.get("/console") { request, _ in
            guard request.uri.path.hasSuffix("/") else { return Response(status: .movedPermanently, headers: [.location: "/console/"]) }
            return try Self.file("index.html")
        }
        router.get("/console/:file") { _, context in try Self.file(context.parameters.get("file") ?? "") }
    }

    static func file(_ name: String) throws -> Response {
        guard let file = files[name] else {
            throw APIError.notFound(files.isEmpty ? "the console (missing from this build)" : "console file \(name)")
        }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: file.body))
    }
}

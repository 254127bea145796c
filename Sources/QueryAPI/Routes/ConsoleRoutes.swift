import BerrysJSON
import Foundation
import HTTPTypes
import Hummingbird

/// The web console: static files from the build's resources (`Resources/console`), served at
/// `/console/`, with the pages the domains add (`ConsolePages`: their files beside the engine's,
/// their list at `/console/pages.json`); no build step, nothing fetched from elsewhere. The
/// files are read once, when the router is built.
struct ConsoleRoutes {
    typealias File = (contentType: String, body: ByteBuffer)

    /// The console's files by name, with their content types.
    let files: [String: File]

    /// The engine's files and those of `domains`' pages, and the pages' list.
    /// - Precondition: no domain file has the name of another's (a build error).
    init(domains: [ConsolePages]) {
        var files = Self.files(in: Bundle.module.url(forResource: "console", withExtension: nil))
        for domain in domains {
            for (name, file) in Self.files(in: domain.folder) {
                precondition(files[name] == nil, "the console file \(name) comes twice (engine and a domain)")
                files[name] = file
            }
        }
        let pages = JSON.array(domains.flatMap(\.pages).map { page in
            .object(["name": .string(page.name), "title": .string(page.title), "module": .string(page.module),
                     "function": .string(page.function)])
        })
        files["pages.json"] = ("application/json", ByteBuffer(string: pages.serialized))
        self.files = files
    }

    private static func files(in folder: URL?) -> [String: File] {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var files: [String: File] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = (contentType(of: name), ByteBuffer(bytes: data))
        }
        return files
    }

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
            return try file("index.html")
        }
        router.get("/console/:file") { _, context in try file(context.parameters.get("file") ?? "") }
    }

    func file(_ name: String) throws -> Response {
        guard let file = files[name] else {
            throw APIError.notFound(files.isEmpty ? "the console (missing from this build)" : "console file \(name)")
        }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: file.body))
    }
}

import BerrysFoundation
import Foundation

/// Checks an AsyncAPI document with tools nobody here wrote: Python's `jsonschema` against the
/// official AsyncAPI 3.0.0 JSON Schema (vendored in `Tests/Fixtures/asyncapi/`), plus every
/// `$ref` of the document resolving inside it.
public enum AsyncAPIValidation {
    static let script = """
    import json, sys
    from jsonschema import Draft7Validator
    schema = json.load(open(sys.argv[1]))
    document = json.load(sys.stdin)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in Draft7Validator(schema).iter_errors(document)]
    def resolve(pointer):
        node = document
        for token in pointer[2:].split('/'):
            token = token.replace('~1', '/').replace('~0', '~')
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node
    def refs(node):
        # Payload schemas are skipped: their $refs point into the schema, not this document.
        if isinstance(node, dict):
            for key, value in node.items():
                if key == '$ref' and isinstance(value, str):
                    yield value
                elif key != 'payload':
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)
    for ref in refs(document):
        try:
            resolve(ref)
        except (KeyError, IndexError, ValueError):
            problems.append(f"unresolved $ref {ref}")
    print(json.dumps(problems))
    """

    /// The problems found; empty when the document is valid.
    public static func problems(of document: String) async throws -> [String] {
        let schema = TestServers.projectRoot.appendingPathComponent("Tests/Fixtures/asyncapi/asyncapi-3.0.0.json").path
        let output = try await TestServers.runCapturingOffPool("python3", ["-c", script, schema], input: document)
        guard output.status == 0, let data = output.stdout.data(using: .utf8),
              let problems = try JSONSerialization.jsonObject(with: data) as? [String] else {
            return ["the validator failed: \(output.stderr)"]
        }
        return problems
    }
}

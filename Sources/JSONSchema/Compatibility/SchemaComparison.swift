import BerrysJSON

/// Finds what changed between two schema documents of the supported subset, and which changes
/// refuse some instance the old schema accepted.
///
/// The comparison is structural and conservative: a change it cannot prove harmless (a changed
/// `oneOf`, a new `pattern`) counts as breaking, so an accepted change is never a silent break.
/// It reads each keyword of `JSONSchema.supportedKeywords` as `docs/schemas.md` describes, and
/// follows local `$ref`s. Annotations (and `x-…` keywords) are reported but never break.
public struct SchemaComparison {
    let oldRoot: JSON
    let newRoot: JSON
    var changes: [SchemaChange] = []

    /// The changes from `old` to `new`, in document order.
    public static func changes(from old: JSON, to new: JSON) -> [SchemaChange] {
        var comparison = SchemaComparison(oldRoot: old, newRoot: new)
        comparison.compare(old, new, at: "", instance: "", depth: 0)
        return comparison.changes
    }

    /// `instance` is the instance pointer of the value this schema validates, or nil where one
    /// schema covers many places (array items, additional properties, combinators).
    mutating func compare(_ oldSchema: JSON, _ newSchema: JSON, at pointer: String, instance: String?, depth: Int) {
        guard depth < 48 else {
            record(pointer, .combinatorChanged, "nesting too deep to compare", fix: "simplify the schema")
            return
        }
        let old = Self.resolved(oldSchema, in: oldRoot)
        let new = Self.resolved(newSchema, in: newRoot)
        guard old != new else { return }
        switch (Self.constant(old), Self.constant(new)) {
        case (_, true?):
            record(pointer, .constraintLoosened, "every constraint removed")
            return
        case (false?, _):
            return  // nothing was valid before
        case (_, false?):
            record(pointer, .schemaConstrained, "the schema became false: nothing is valid", fix: "keep the old schema or declare an upcaster")
            return
        case (true?, _):
            record(pointer, .schemaConstrained, "any value was valid, now it is constrained",
                   fix: "keep it unconstrained, or declare an upcaster that makes old values valid")
            return
        default:
            break
        }
        guard let o = old.objectValue, let n = new.objectValue else { return }
        compareAnnotations(o, n, at: pointer)
        compareValues(o, n, at: pointer)
        compareStrings(o, n, at: pointer)
        compareNumbers(o, n, at: pointer)
        compareObjects(o, n, at: pointer, instance: instance, depth: depth)
        compareArrays(o, n, at: pointer, depth: depth)
        compareCombinators(o, n, at: pointer, depth: depth)
        if o["$ref"] != nil || n["$ref"] != nil, o["$ref"] != n["$ref"] {
            record(pointer + "/$ref", .combinatorChanged, "a $ref that could not be followed changed",
                   fix: "keep the $ref unchanged, or declare an upcaster")
        }
    }

    mutating func record(_ pointer: String, _ rule: SchemaChange.Rule, _ detail: String, fix: String? = nil,
                         filledDefault: SchemaChange.FilledDefault? = nil) {
        changes.append(SchemaChange(pointer, rule, detail, fix: fix, filledDefault: filledDefault))
    }

    private mutating func compareAnnotations(_ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        let keys = Set(o.keys).union(n.keys).filter { Self.isAnnotation($0) }
        for key in keys.sorted() where o[key] != n[key] {
            let what = o[key] == nil ? "added" : n[key] == nil ? "removed" : "changed"
            record(pointer + "/" + JSONPointer.escape(key), .annotationChanged, "\(key) \(what)")
        }
    }

    /// `true`/`false` for boolean schemas and for objects without validating keywords.
    static func constant(_ schema: JSON) -> Bool? {
        switch schema {
        case .bool(let flag): return flag
        case .object(let members):
            return members.keys.allSatisfy { isAnnotation($0) || $0 == "$schema" || $0 == "$id" || $0 == "$defs" } ? true : nil
        default: return nil
        }
    }

    static func isAnnotation(_ keyword: String) -> Bool { JSONSchema.isAnnotation(keyword) }

    /// The schema with a local `$ref` replaced by its target (merged with the siblings when no
    /// keyword is in both); unchanged when the reference cannot be followed.
    static func resolved(_ schema: JSON, in root: JSON) -> JSON {
        var current = schema
        for _ in 0..<16 {
            guard var members = current.objectValue, let ref = members["$ref"]?.stringValue,
                  let target = target(of: ref, in: root)?.objectValue else { return current }
            members.removeValue(forKey: "$ref")
            guard Set(members.keys).isDisjoint(with: target.keys) else { return current }
            current = .object(target.merging(members) { first, _ in first })
        }
        return current
    }

    static func target(of ref: String, in root: JSON) -> JSON? {
        guard ref.hasPrefix("#"), let fragment = String(ref.dropFirst()).removingPercentEncoding else { return nil }
        var node = root
        for token in fragment.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let member = node[name] {
                node = member
            } else if let index = Int(name), let items = node.arrayValue, items.indices.contains(index) {
                node = items[index]
            } else {
                return nil
            }
        }
        return node
    }
}

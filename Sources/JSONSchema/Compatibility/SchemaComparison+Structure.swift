import BerrysJSON

/// Objects, arrays and combinators.
extension SchemaComparison {
    mutating func compareObjects(_ o: [String: JSON], _ n: [String: JSON], at pointer: String, instance: String?, depth: Int) {
        let oldProperties = o["properties"]?.objectValue ?? [:], newProperties = n["properties"]?.objectValue ?? [:]
        let oldAdditional = o["additionalProperties"] ?? .bool(true), newAdditional = n["additionalProperties"] ?? .bool(true)
        compareRequired(o, n, at: pointer, instance: instance)
        for name in oldProperties.keys.sorted() {
            let here = pointer + "/properties/" + JSONPointer.escape(name)
            let place = instance.map { $0 + "/" + JSONPointer.escape(name) }
            if let newSchema = newProperties[name] {
                compare(oldProperties[name]!, newSchema, at: here, instance: place, depth: depth + 1)
            } else if Self.constant(newAdditional) == false {
                let renamed = newProperties.keys.sorted().filter { oldProperties[$0] == nil && Self.sameShape(newProperties[$0]!, oldProperties[name]!) }
                record(here, .propertyRemoved, "'\(name)' is gone and additionalProperties is false: old events that carry it are refused"
                       + (renamed.isEmpty ? "" : " (renamed to '\(renamed[0])'?)"),
                       fix: "keep the property (mark it \"deprecated\": true), or declare an upcaster that "
                       + (renamed.isEmpty ? "drops it" : "renames it to '\(renamed[0])'"))
            } else if Self.constant(newAdditional) == true {
                record(here, .propertyRemovedOpen, "'\(name)' is no longer described (still allowed)")
            } else {
                compare(oldProperties[name]!, newAdditional, at: pointer + "/additionalProperties", instance: nil, depth: depth + 1)
            }
        }
        for name in newProperties.keys.sorted() where oldProperties[name] == nil {
            let here = pointer + "/properties/" + JSONPointer.escape(name)
            switch Self.constant(oldAdditional) {
            case false?:
                record(here, .propertyAdded, "'\(name)' added")
            case true? where Self.constant(newProperties[name]!) != true:
                record(here, .propertyConstrained, "'\(name)' added, but additionalProperties was open: old events may carry it with any value",
                       fix: "declare an upcaster that makes old values valid, or leave the new property unconstrained")
            default:
                compare(oldAdditional, newProperties[name]!, at: here, instance: nil, depth: depth + 1)
            }
        }
        if Self.constant(newAdditional) == false, Self.constant(oldAdditional) != false {
            record(pointer + "/additionalProperties", .additionalPropertiesClosed, "additionalProperties closed: old events with other properties are refused",
                   fix: "leave additionalProperties open, or declare an upcaster that drops the other properties")
        } else {
            compare(oldAdditional, newAdditional, at: pointer + "/additionalProperties", instance: nil, depth: depth + 1)
        }
        lowerBound("minProperties", o, n, at: pointer)
        upperBound("maxProperties", o, n, at: pointer)
        compareDependencies(o, n, at: pointer)
    }

    private mutating func compareRequired(_ o: [String: JSON], _ n: [String: JSON], at pointer: String, instance: String?) {
        let oldRequired = Set((o["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        let newRequired = Set((n["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        let newProperties = n["properties"]?.objectValue ?? [:]
        for name in newRequired.subtracting(oldRequired).sorted() {
            let here = pointer + "/required"
            if let value = Self.resolved(newProperties[name] ?? .bool(true), in: newRoot)["default"], let instance {
                record(here, .requiredAddedWithDefault, "'\(name)' is now required; old events without it read as \(value.serialized)",
                       filledDefault: .init(instancePointer: instance + "/" + JSONPointer.escape(name), value: value))
            } else {
                record(here, .requiredAdded, "'\(name)' is now required: old events without it are refused",
                       fix: instance == nil ? "keep it optional, or declare an upcaster that sets it (defaults are not filled inside arrays)"
                           : "give properties/\(name) a \"default\" (filled in when old events are read), keep it optional, or declare an upcaster")
            }
        }
        for name in oldRequired.subtracting(newRequired).sorted() {
            record(pointer + "/required", .requiredRemoved, "'\(name)' is no longer required")
        }
    }

    private mutating func compareDependencies(_ o: [String: JSON], _ n: [String: JSON], at pointer: String) {
        let old = o["dependentRequired"]?.objectValue ?? [:], new = n["dependentRequired"]?.objectValue ?? [:]
        for key in Set(old.keys).union(new.keys).sorted() {
            let before = Set((old[key]?.arrayValue ?? []).compactMap(\.stringValue))
            let after = Set((new[key]?.arrayValue ?? []).compactMap(\.stringValue))
            let here = pointer + "/dependentRequired/" + JSONPointer.escape(key)
            if !after.subtracting(before).isEmpty {
                record(here, .dependencyAdded, "with '\(key)', now also required: \(after.subtracting(before).sorted().joined(separator: ", "))",
                       fix: "keep the old dependencies, or declare an upcaster")
            } else if before != after {
                record(here, .constraintLoosened, "fewer properties required with '\(key)'")
            }
        }
    }

    mutating func compareArrays(_ o: [String: JSON], _ n: [String: JSON], at pointer: String, depth: Int) {
        let oldPrefix = o["prefixItems"]?.arrayValue ?? [], newPrefix = n["prefixItems"]?.arrayValue ?? []
        let oldItems = o["items"] ?? .bool(true), newItems = n["items"] ?? .bool(true)
        for index in 0..<max(oldPrefix.count, newPrefix.count) {
            let here = index < newPrefix.count ? pointer + "/prefixItems/\(index)" : pointer + "/items"
            compare(index < oldPrefix.count ? oldPrefix[index] : oldItems, index < newPrefix.count ? newPrefix[index] : newItems,
                    at: here, instance: nil, depth: depth + 1)
        }
        compare(oldItems, newItems, at: pointer + "/items", instance: nil, depth: depth + 1)
        lowerBound("minItems", o, n, at: pointer)
        upperBound("maxItems", o, n, at: pointer)
        if n["uniqueItems"]?.boolValue == true, o["uniqueItems"]?.boolValue != true {
            record(pointer + "/uniqueItems", .uniqueItemsAdded, "items must now be unique",
                   fix: "keep uniqueItems off, or declare an upcaster that removes repeats")
        } else if o["uniqueItems"]?.boolValue == true, n["uniqueItems"]?.boolValue != true {
            record(pointer + "/uniqueItems", .constraintLoosened, "items need no longer be unique")
        }
    }

    mutating func compareCombinators(_ o: [String: JSON], _ n: [String: JSON], at pointer: String, depth: Int) {
        // allOf: each new conjunct must hold for old instances; compared with the old conjunct at its place.
        if o["allOf"] != n["allOf"] {
            let old = o["allOf"]?.arrayValue ?? [], new = n["allOf"]?.arrayValue ?? []
            for (index, schema) in new.enumerated() {
                compare(index < old.count ? old[index] : .bool(true), schema, at: pointer + "/allOf/\(index)", instance: nil, depth: depth + 1)
            }
            if old.count > new.count { record(pointer + "/allOf", .constraintLoosened, "\(old.count - new.count) allOf schema(s) removed") }
        }
        // anyOf: each old alternative must stay within the new alternative at its place.
        if o["anyOf"] != n["anyOf"] {
            if let new = n["anyOf"]?.arrayValue {
                let old = o["anyOf"]?.arrayValue ?? [.bool(true)]
                for (index, schema) in old.enumerated() {
                    if index < new.count {
                        compare(schema, new[index], at: pointer + "/anyOf/\(index)", instance: nil, depth: depth + 1)
                    } else {
                        record(pointer + "/anyOf/\(index)", .combinatorChanged, "anyOf alternative \(index) removed",
                               fix: "keep every old alternative (add new ones at the end), or declare an upcaster")
                    }
                }
                if new.count > old.count { record(pointer + "/anyOf", .constraintLoosened, "\(new.count - old.count) anyOf alternative(s) added") }
            } else {
                record(pointer + "/anyOf", .constraintLoosened, "anyOf removed")
            }
        }
        for keyword in ["oneOf", "not"] where o[keyword] != n[keyword] {
            if n[keyword] == nil {
                record(pointer + "/" + keyword, .constraintLoosened, "\(keyword) removed")
            } else {
                record(pointer + "/" + keyword, .combinatorChanged, "\(keyword) \(o[keyword] == nil ? "added" : "changed"): not compared, counted as breaking",
                       fix: "keep \(keyword) unchanged, or declare an upcaster (schemas check proves it on generated events)")
            }
        }
    }

    /// Two property schemas that differ only in annotations (to suggest a rename).
    static func sameShape(_ a: JSON, _ b: JSON) -> Bool {
        func stripped(_ schema: JSON) -> JSON {
            guard let members = schema.objectValue else { return schema }
            return .object(members.filter { !isAnnotation($0.key) })
        }
        return stripped(a) == stripped(b)
    }
}

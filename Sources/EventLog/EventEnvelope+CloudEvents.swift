import BerrysJSON

extension EventEnvelope {
    /// The event in CloudEvents structured JSON form (`data` embedded as JSON;
    /// `dataversion` and `sequence` as strings, as CloudEvents extension values).
    public var cloudEvent: JSON {
        var members: [String: JSON] = [
            "specversion": .string(Self.specVersion), "id": .string(id), "source": .string(source),
            "type": .string(type), "dataversion": .string(String(dataVersion)), "subject": .string(subject),
            "time": .string(time), "datacontenttype": .string(Self.dataContentType), "data": data,
        ]
        if let sequence { members["sequence"] = .string(String(sequence)) }
        if let partitionKey { members["partitionkey"] = .string(partitionKey) }
        if let correlationID { members["correlationid"] = .string(correlationID) }
        if let causationID { members["causationid"] = .string(causationID) }
        for (name, value) in extensions { members[name] = .string(value) }
        return .object(members)
    }

    /// Reads a complete event back from CloudEvents structured JSON.
    /// - Throws: `EventLogError.invalidEnvelope` naming the attribute.
    public init(cloudEvent: JSON) throws {
        let draft = try EventDraft(cloudEvent: cloudEvent)
        func required<T>(_ value: T?, _ name: String) throws -> T {
            guard let value else { throw EventLogError(.invalidEnvelope, field: name, "\(name) is required") }
            return value
        }
        var sequence: Int?
        if let text = draft.extensions["sequence"] {
            guard let number = Int(text), number > 0 else {
                throw EventLogError(.invalidEnvelope, field: "sequence", "sequence must be a positive integer")
            }
            sequence = number
        }
        self.init(id: try required(draft.id, "id"), source: try required(draft.source, "source"), type: draft.type,
                  dataVersion: try required(draft.dataVersion, "dataversion"), subject: try required(draft.subject, "subject"),
                  time: try required(draft.time, "time"), data: draft.data, sequence: sequence,
                  partitionKey: draft.partitionKey, correlationID: draft.correlationID, causationID: draft.causationID,
                  extensions: draft.extensions.filter { $0.key != "sequence" })
    }
}

extension EventDraft {
    /// Reads an event from CloudEvents structured JSON (`specversion`, `id`, `source`, `type`
    /// required by CloudEvents; the rest optional here and filled in on publish).
    /// - Throws: `EventLogError.invalidEnvelope` naming the attribute and the rule.
    public init(cloudEvent: JSON) throws {
        guard let members = cloudEvent.objectValue else {
            throw EventLogError(.invalidEnvelope, field: nil, "a CloudEvent must be a JSON object, not \(cloudEvent.typeName)")
        }
        func text(_ name: String, required: Bool = false) throws -> String? {
            guard let value = members[name], value != .null else {
                if required { throw EventLogError(.invalidEnvelope, field: name, "\(name) is required") }
                return nil
            }
            guard let string = value.stringValue else {
                throw EventLogError(.invalidEnvelope, field: name, "\(name) must be a string, not \(value.typeName)")
            }
            guard !string.isEmpty else { throw EventLogError(.invalidEnvelope, field: name, "\(name) must not be empty") }
            return string
        }
        guard try text("specversion", required: true) == EventEnvelope.specVersion else {
            throw EventLogError(.invalidEnvelope, field: "specversion", "specversion must be \"1.0\"")
        }
        if members["data_base64"] != nil {
            throw EventLogError(.invalidEnvelope, field: "data_base64", "data_base64 is not accepted: Berrys events carry JSON data")
        }
        if let contentType = try text("datacontenttype"), contentType != EventEnvelope.dataContentType {
            throw EventLogError(.invalidEnvelope, field: "datacontenttype", "datacontenttype must be application/json, not \(contentType)")
        }
        var dataVersion: Int?
        if let value = members["dataversion"], value != .null {
            guard let number = value.intValue ?? value.stringValue.flatMap({ Int($0) }), number > 0 else {
                throw EventLogError(.invalidEnvelope, field: "dataversion", "dataversion must be a positive integer")
            }
            dataVersion = number
        }
        var expected: ExpectedSequence?
        if let value = members[ExpectedSequence.attribute], value != .null {
            guard let text = value.intValue.map({ String($0) }) ?? value.stringValue, let parsed = ExpectedSequence(text) else {
                throw EventLogError(.invalidEnvelope, field: ExpectedSequence.attribute,
                                    "expectedsequence must be any, none or a sequence number (0 or more), not \(value.serialized)")
            }
            expected = parsed
        }
        let handled: Set<String> = ["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data",
                                    "dataversion", "partitionkey", "correlationid", "causationid", ExpectedSequence.attribute]
        var extensions: [String: String] = [:]
        for (name, value) in members where !handled.contains(name) {
            try EnvelopeRules.checkExtensionName(name)
            switch value {
            case .string(let string): extensions[name] = string
            case .number, .bool: extensions[name] = value.serialized
            default:
                throw EventLogError(.invalidEnvelope, field: name, "extension attribute \(name) must be a string, number or boolean")
            }
        }
        self.init(type: try text("type", required: true)!, data: members["data"] ?? .null, subject: try text("subject"),
                  dataVersion: dataVersion, id: try text("id", required: true), source: try text("source", required: true),
                  time: try text("time"), partitionKey: try text("partitionkey"), correlationID: try text("correlationid"),
                  causationID: try text("causationid"), extensions: extensions, expected: expected)
    }
}

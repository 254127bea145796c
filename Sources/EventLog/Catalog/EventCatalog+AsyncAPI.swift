import BerrysJSON

extension EventCatalog {
    /// The catalog as an AsyncAPI 3.0.0 document: servers (Redis, the HTTP API), channels (the
    /// partition streams, `POST /v1/events`, `GET /v1/stream`), operations (the API's, then each
    /// worker's, connector's and projection's receive and send) and one message per event type,
    /// whose payload is its newest schema (JSON Schema 2020-12) and whose versions are listed in
    /// `x-berrys-versions`.
    public func asyncAPI() -> JSON {
        let types = registry.types
        let allMessages = { (channel: String) -> [JSON] in types.map { reference("#/channels/\(channel)/messages/\(escape($0))") } }
        var operations: [String: JSON] = [
            "publish": operation("receive", channel: "publish", messages: allMessages("publish"),
                                 summary: "Berrys receives events published over HTTP (CloudEvents: structured, binary or batch)."),
            "stream": operation("send", channel: "stream", messages: allMessages("stream"),
                                summary: "Berrys sends the log live as server-sent events, filtered and resumable."),
        ]
        for participant in participants {
            let base = "\(participant.kind.rawValue).\(participant.name)"
            if !participant.receives.isEmpty {
                operations[base + ".receive"] = operation("receive", channel: "partitions",
                    messages: participant.receives.map { reference("#/channels/partitions/messages/\(escape($0))") },
                    summary: "The \(participant.kind.rawValue) \(participant.name) consumes these types from every partition.")
            }
            if !participant.sends.isEmpty {
                operations[base + ".send"] = operation("send", channel: "partitions",
                    messages: participant.sends.map { reference("#/channels/partitions/messages/\(escape($0))") },
                    summary: "The \(participant.kind.rawValue) \(participant.name) appends these types to the log.")
            }
        }
        let channelMessages = JSON.object(Dictionary(uniqueKeysWithValues: types.map { ($0, reference("#/components/messages/\(escape($0))")) }))
        return .object([
            "asyncapi": .string("3.0.0"),
            "info": .object([
                "title": .string("Berrys event log"),
                "version": .string(contentVersion),
                "description": .string("Every event type of the log, the partition streams it is stored in, how it is published and streamed, and which workers, connectors and projections receive and send each type. Generated from the schemas (docs/schemas.md)."),
            ]),
            "defaultContentType": .string("application/json"),
            "servers": .object([
                "redis": .object(["host": .string(redisAddress), "protocol": .string("redis"),
                                  "description": .string("The log: one Redis stream per partition (XADD through the berrys_append functions).")]),
                "http": .object(["host": .string(httpAddress), "protocol": .string("http"),
                                 "description": .string("The query API: publishing and the live stream.")]),
            ]),
            "channels": .object([
                "partitions": .object([
                    "address": .string("\(namespace):events:{partition}"),
                    "title": .string("Partition streams"),
                    "description": .string("Each event is an entry of its partition's stream (fields: the CloudEvents attributes, `data`, `dataversion`, `sequence`). The partition is chosen from the partition key."),
                    "parameters": .object(["partition": .object([
                        "description": .string("The partition's Redis Cluster hash tag, `{0}` … `{\(partitions - 1)}`."),
                        "enum": .array((0..<partitions).map { .string("{\($0)}") }),
                    ])]),
                    "servers": .array([reference("#/servers/redis")]),
                    "messages": channelMessages,
                ]),
                "publish": .object(["address": .string("/v1/events"), "title": .string("Publish"), "servers": .array([reference("#/servers/http")]),
                                    "messages": channelMessages]),
                "stream": .object(["address": .string("/v1/stream"), "title": .string("Live stream"), "servers": .array([reference("#/servers/http")]),
                                   "messages": channelMessages]),
            ]),
            "operations": .object(operations),
            "components": .object(["messages": .object(Dictionary(uniqueKeysWithValues: types.map { ($0, message($0)) }))]),
        ])
    }

    private func message(_ type: String) -> JSON {
        let versions = (registry.schemas[type] ?? [:]).keys.sorted()
        let newest = registry.schemas[type]![versions.last!]!.document
        var members: [String: JSON] = [
            "name": .string(type),
            "title": newest["title"] ?? .string(type),
            "summary": newest["description"] ?? .string(type),
            "contentType": .string("application/json"),
            "payload": .object(["schemaFormat": .string("application/schema+json;version=draft-2020-12"), "schema": newest]),
            "x-berrys-versions": .array(versions.map { version in
                .object(["version": .number(Double(version)), "$id": registry.schemas[type]![version]!.document["$id"] ?? .null])
            }),
            "x-berrys-newest-version": .number(Double(versions.last!)),
            "x-berrys-consumers": .array(consumers(of: type).map { .string("\($0.kind.rawValue):\($0.name)") }),
            "x-berrys-producers": .array(producers(of: type).map { .string("\($0.kind.rawValue):\($0.name)") }),
        ]
        let examples = (registry.examples[type]?[versions.last!] ?? []).map { example in
            JSON.object(["name": .string(String(example.name.dropLast(5))), "payload": example.data])
        }
        if !examples.isEmpty { members["examples"] = .array(examples) }
        return .object(members)
    }

    private func operation(_ action: String, channel: String, messages: [JSON], summary: String) -> JSON {
        .object(["action": .string(action), "channel": reference("#/channels/\(channel)"), "messages": .array(messages), "summary": .string(summary)])
    }

    private func reference(_ pointer: String) -> JSON { .object(["$ref": .string(pointer)]) }

    private func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

import Foundation
import Yams

extension ConnectorDefinition {
    /// The fields a connector file may have; anything else is refused (a typo must not
    /// silently fall back to a default).
    static let fields: Set<String> = ["url", "types", "headers", "secret_env", "timeout_seconds", "max_in_flight", "mode", "circuit"]
    static let circuitFields: Set<String> = ["failure_threshold", "recovery_timeout_seconds"]
    /// Headers the connector sets itself.
    static let reservedHeaders: Set<String> = ["content-type", "content-length", "host", "traceparent", "tracestate",
                                               ConnectorSignature.headerName.lowercased()]

    /// Reads and checks one connector file.
    /// - Parameters:
    ///   - knownTypes: the registry's event types; every filter must select at least one.
    ///   - environment: where `secret_env` is looked up.
    /// - Throws: `ConnectorConfigurationError` naming the file, the field and the rule.
    public static func load(file: URL, knownTypes: Set<String>,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConnectorDefinition {
        let path = file.path
        func refuse(_ field: String?, _ rule: String) -> ConnectorConfigurationError {
            ConnectorConfigurationError(file: path, field: field, rule)
        }
        let name = file.deletingPathExtension().lastPathComponent
        guard !name.isEmpty, name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw refuse(nil, "the file's name (the connector's name) must use only a-z, 0-9 and -")
        }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch { throw refuse(nil, "cannot be read: \(error.localizedDescription)") }
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch { throw refuse(nil, "is not valid YAML: \(error)") }
        guard let top = document as? [String: Any] else { throw refuse(nil, "must be a YAML mapping of fields (url, types, …)") }
        if let unknown = Set(top.keys).subtracting(fields).sorted().first {
            throw refuse(unknown, "is not a connector field (known: \(fields.sorted().joined(separator: ", ")))")
        }

        guard let urlText = top["url"] as? String else { throw refuse("url", "is required: the receiver's http or https URL") }
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false else {
            throw refuse("url", "must be an absolute http or https URL, not '\(urlText)'")
        }

        guard let typeTexts = top["types"] as? [Any], !typeTexts.isEmpty else {
            throw refuse("types", "is required: a list of event types, exact (agent.created) or a prefix (agent.execution.*)")
        }
        var filters: [TypeFilter] = []
        for (index, value) in typeTexts.enumerated() {
            guard let text = value as? String, let filter = TypeFilter(text) else {
                throw refuse("types[\(index)]", "must be an event type or a prefix ending in .*, not '\(value)'")
            }
            guard knownTypes.contains(where: filter.matches) else {
                throw refuse("types[\(index)]", "'\(text)' selects no event type of the schemas")
            }
            filters.append(filter)
        }

        var headers: [String: String] = [:]
        if let raw = top["headers"] {
            guard let map = raw as? [String: Any] else { throw refuse("headers", "must be a mapping of header names to values") }
            for (header, value) in map {
                let lower = header.lowercased()
                guard !header.isEmpty, header.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) else {
                    throw refuse("headers.\(header)", "is not a valid header name")
                }
                guard !reservedHeaders.contains(lower), !lower.hasPrefix("ce-") else {
                    throw refuse("headers.\(header)", "is set by the connector itself")
                }
                guard let string = value as? String ?? (value as? Int).map(String.init) else {
                    throw refuse("headers.\(header)", "must be a string")
                }
                headers[header] = string
            }
        }

        var secretVariable: String?, secret: String?
        if let raw = top["secret_env"] {
            guard let variable = raw as? String, !variable.isEmpty else { throw refuse("secret_env", "must name an environment variable") }
            guard let value = environment[variable], !value.isEmpty else {
                throw refuse("secret_env", "names \(variable), which is not set (or empty) in this process's environment")
            }
            secretVariable = variable
            secret = value
        }

        let timeout = try seconds(top["timeout_seconds"], default: 10, range: 0.001...300, field: "timeout_seconds", refuse: refuse)
        let maxInFlight = try integer(top["max_in_flight"], default: 16, range: 1...1024, field: "max_in_flight", refuse: refuse)

        var mode = Mode.binary
        if let raw = top["mode"] {
            guard let text = raw as? String, let parsed = Mode(rawValue: text) else {
                throw refuse("mode", "must be binary or structured, not '\(raw)'")
            }
            mode = parsed
        }

        var failureThreshold = 5
        var recoveryTimeout = Duration.seconds(30)
        if let raw = top["circuit"] {
            guard let circuit = raw as? [String: Any] else { throw refuse("circuit", "must be a mapping (failure_threshold, recovery_timeout_seconds)") }
            if let unknown = Set(circuit.keys).subtracting(circuitFields).sorted().first {
                throw refuse("circuit.\(unknown)", "is not a circuit field (known: \(circuitFields.sorted().joined(separator: ", ")))")
            }
            failureThreshold = try integer(circuit["failure_threshold"], default: 5, range: 1...1000, field: "circuit.failure_threshold",
                                           refuse: refuse)
            recoveryTimeout = try seconds(circuit["recovery_timeout_seconds"], default: 30, range: 0.01...86400,
                                          field: "circuit.recovery_timeout_seconds", refuse: refuse)
        }
        return ConnectorDefinition(name: name, url: url, filters: filters, headers: headers, secretVariable: secretVariable, secret: secret,
                                   timeout: timeout, maxInFlight: maxInFlight, mode: mode, failureThreshold: failureThreshold,
                                   recoveryTimeout: recoveryTimeout)
    }

    private static func integer(_ raw: Any?, default value: Int, range: ClosedRange<Int>, field: String,
                                refuse: (String?, String) -> ConnectorConfigurationError) throws -> Int {
        guard let raw else { return value }
        guard let number = raw as? Int, range.contains(number) else {
            throw refuse(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
        }
        return number
    }

    private static func seconds(_ raw: Any?, default value: Double, range: ClosedRange<Double>, field: String,
                                refuse: (String?, String) -> ConnectorConfigurationError) throws -> Duration {
        guard let raw else { return .milliseconds(Int64(value * 1000)) }
        guard let number = (raw as? Double) ?? (raw as? Int).map(Double.init), range.contains(number) else {
            throw refuse(field, "must be a number of seconds from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
        }
        return .microseconds(Int64(number * 1_000_000))
    }
}

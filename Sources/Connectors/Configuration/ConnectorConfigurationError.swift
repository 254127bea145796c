/// A connector file that cannot be used, naming the file, the field and the rule it breaks.
public struct ConnectorConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file's path.
    public let file: String
    /// The field (`url`, `circuit.failure_threshold`, …), or nil for the file as a whole.
    public let field: String?
    /// The rule, in words a person can act on.
    public let rule: String

    public init(file: String, field: String?, _ rule: String) {
        self.file = file
        self.field = field
        self.rule = rule
    }

    public var description: String {
        "CONNECTOR_INVALID: \(file)" + (field.map { ": \($0)" } ?? "") + ": \(rule)"
    }
}

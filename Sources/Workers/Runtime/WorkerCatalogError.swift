/// An unknown worker name.
public struct WorkerCatalogError: Error, CustomStringConvertible {
    /// The name asked for.
    public let name: String
    /// The workers there are.
    public let known: [String]
    /// An unknown `name` among the `known` ones.
    public init(name: String, known: [String]) {
        self.name = name
        self.known = known
    }

    public var description: String { "BERRYS_UNKNOWN_WORKER: no worker '\(name)'; known workers: \(known.joined(separator: ", "))" }
}

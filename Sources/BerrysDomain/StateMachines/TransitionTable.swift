/// Which moves a state machine allows, as a table; pure, no I/O.
public struct TransitionTable<State: Hashable & Sendable & RawRepresentable>: Sendable where State.RawValue == String {
    /// What the machine is called in messages, e.g. `agent status`.
    public let name: String
    /// The states each state may move to; a state missing here is final.
    public let allowed: [State: Set<State>]

    public init(name: String, allowed: [State: Set<State>]) {
        self.name = name
        self.allowed = allowed
    }

    /// True when `from → to` is allowed.
    public func allows(_ from: State, _ to: State) -> Bool {
        allowed[from]?.contains(to) ?? false
    }

    /// True when nothing follows `state`.
    public func isFinal(_ state: State) -> Bool {
        allowed[state]?.isEmpty ?? true
    }

    /// Checks a move.
    /// - Throws: `TransitionError` naming the machine, both states and what is allowed instead.
    public func check(_ from: State, _ to: State) throws {
        guard allows(from, to) else {
            let options = (allowed[from] ?? []).map(\.rawValue).sorted()
            throw TransitionError(machine: name, from: from.rawValue, to: to.rawValue,
                                  message: options.isEmpty
                                      ? "\(name) \(from.rawValue) is final; it cannot move to \(to.rawValue)"
                                      : "\(name) \(from.rawValue) → \(to.rawValue) is not allowed (allowed: \(options.joined(separator: ", ")))")
        }
    }
}

/// A state change the domain's state machines forbid.
public struct TransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public static let code = "BERRYS_INVALID_TRANSITION"
    public var machine: String
    public var from: String
    public var to: String
    public var message: String

    public var description: String { "\(Self.code): \(message)" }
}

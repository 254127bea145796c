/// The domain's state machines as SQL reference data for projections (`reference_data:
/// ["transitions"]`): a table `transitions (machine, from_state, to_state)` generated from the
/// Swift tables, so projections and workers enforce the same rules.
public enum TransitionsSQL {
    /// Reference data by name, for `ProjectionDefinition.loadAll(referenceData:)`.
    public static var referenceData: [String: String] { ["transitions": sql] }

    /// `CREATE TABLE transitions …; INSERT INTO transitions VALUES …;`
    public static var sql: String {
        var rows: [String] = []
        func add<S>(_ table: TransitionTable<S>) {
            for from in table.allowed.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                for to in table.allowed[from]!.sorted(by: { $0.rawValue < $1.rawValue }) {
                    rows.append("('\(table.name)', '\(from.rawValue)', '\(to.rawValue)')")
                }
            }
        }
        add(AgentStateMachine.status)
        add(AgentStateMachine.detail)
        add(WorkStateMachines.execution)
        add(WorkStateMachines.task)
        add(WorkStateMachines.project)
        add(WorkStateMachines.plan)
        return """
        CREATE TABLE transitions (machine text NOT NULL, from_state text NOT NULL, to_state text NOT NULL,
                                  PRIMARY KEY (machine, from_state, to_state));
        INSERT INTO transitions (machine, from_state, to_state) VALUES
        \(rows.joined(separator: ",\n"));
        """
    }
}

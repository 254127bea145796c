/// The domain's state machines as SQL reference data for projections (`reference_data:
/// ["transitions"]`): a table `transitions (machine, from_state, to_state)` generated from the
/// Swift tables, so projections and workers enforce the same rules, and the check of a
/// single-machine status change against it, `status_change_problem`.
public enum TransitionsSQL {
    /// Reference data by name, for `ProjectionDefinition.loadAll(referenceData:)`.
    public static var referenceData: [String: String] { ["transitions": sql] }

    /// `CREATE TABLE transitions …; INSERT INTO transitions VALUES …;` and `status_change_problem`.
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

        \(statusChangeProblem)
        """
    }

    /// Why a single-machine status change cannot be applied (current state from the read
    /// model, previous/new from the event), or NULL when it can.
    static let statusChangeProblem = """
        CREATE FUNCTION status_change_problem(machine text, entity text, current_state text, previous_state text, new_state text)
        RETURNS text LANGUAGE plpgsql STABLE AS $$
        BEGIN
            IF current_state IS NULL THEN
                RETURN entity || ' does not exist';
            END IF;
            IF current_state <> previous_state THEN
                RETURN entity || ' is ' || current_state || ', but the event says it was ' || previous_state;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM transitions t WHERE t.machine = status_change_problem.machine
                           AND t.from_state = current_state AND t.to_state = new_state) THEN
                RETURN machine || ' ' || current_state || ' → ' || new_state || ' is not allowed';
            END IF;
            RETURN NULL;
        END
        $$;
        """
}

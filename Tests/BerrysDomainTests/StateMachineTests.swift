import BerrysDomain
import Testing

/// The transition tables, checked pair by pair against the platform's rules written out here.
@Suite struct StateMachineTests {
    /// From the platform: status INACTIVE→ACTIVE/ERROR/MAINTENANCE; ACTIVE→INACTIVE/BUSY/ERROR/
    /// MAINTENANCE; BUSY→ACTIVE/INACTIVE/ERROR/MAINTENANCE; ERROR→INACTIVE/MAINTENANCE;
    /// MAINTENANCE→INACTIVE/ACTIVE.
    static let statusRules = """
    INACTIVE ACTIVE,ERROR,MAINTENANCE
    ACTIVE INACTIVE,BUSY,ERROR,MAINTENANCE
    BUSY ACTIVE,INACTIVE,ERROR,MAINTENANCE
    ERROR INACTIVE,MAINTENANCE
    MAINTENANCE INACTIVE,ACTIVE
    """

    static let detailRules = """
    CREATED INITIALIZING
    INITIALIZING READY,ERROR
    READY ACTIVE,TERMINATED
    ACTIVE PAUSED,ERROR,TERMINATED
    PAUSED ACTIVE,ERROR,TERMINATED
    ERROR INITIALIZING,TERMINATED
    TERMINATED
    """

    static func parse(_ rules: String) -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        for line in rules.split(separator: "\n") {
            let parts = line.split(separator: " ")
            table[String(parts[0])] = parts.count > 1 ? Set(parts[1].split(separator: ",").map(String.init)) : []
        }
        return table
    }

    static func expectMatches<S>(_ table: TransitionTable<S>, _ rules: String, all: [S]) where S: CaseIterable {
        let expected = parse(rules)
        for from in all {
            for to in all {
                let allowed = expected[from.rawValue]?.contains(to.rawValue) ?? false
                #expect(table.allows(from, to) == allowed, "\(table.name) \(from.rawValue) → \(to.rawValue)")
                if allowed { #expect(throws: Never.self) { try table.check(from, to) } } else {
                    #expect(throws: TransitionError.self) { try table.check(from, to) }
                }
            }
        }
    }

    @Test func agentStatusTable() {
        Self.expectMatches(AgentStateMachine.status, Self.statusRules, all: Array(AgentStatus.allCases))
    }

    @Test func agentDetailTable() {
        Self.expectMatches(AgentStateMachine.detail, Self.detailRules, all: Array(AgentStateDetail.allCases))
        #expect(AgentStateMachine.detail.isFinal(.terminated))
    }

    @Test func lifecycleWorkerTransitionsAreValid() throws {
        try AgentStateMachine.check(from: (.inactive, .created), to: (.inactive, .initializing))
        try AgentStateMachine.check(from: (.inactive, .initializing), to: (.inactive, .ready))
        try AgentStateMachine.check(from: (.inactive, .initializing), to: (.error, .error))
        #expect(throws: TransitionError.self) { try AgentStateMachine.check(from: (.inactive, .created), to: (.inactive, .created)) }
        #expect(throws: TransitionError.self) { try AgentStateMachine.check(from: (.inactive, .created), to: (.busy, .initializing)) }
    }

    @Test func eventMustStartFromTheCurrentState() {
        let event = AgentStatusChanged(agentID: "a", previousStatus: .active, newStatus: .busy,
                                       previousStateDetail: .active, newStateDetail: .active)
        #expect(throws: Never.self) { try AgentStateMachine.check(event, current: (.active, .active)) }
        let error = #expect(throws: TransitionError.self) { try AgentStateMachine.check(event, current: (.inactive, .ready)) }
        #expect(error?.message.contains("agent is INACTIVE/READY") == true)
    }

    @Test func errorMessageNamesTheAllowedMoves() {
        let error = #expect(throws: TransitionError.self) { try AgentStateMachine.status.check(.error, .busy) }
        #expect(error?.description == "BERRYS_INVALID_TRANSITION: agent status ERROR → BUSY is not allowed (allowed: INACTIVE, MAINTENANCE)")
    }

    @Test func finalStatesAllowNothing() {
        for state in [ExecutionState.completed, .failed, .cancelled] { #expect(WorkStateMachines.execution.isFinal(state)) }
        for state in [TaskStatus.completed, .cancelled] { #expect(WorkStateMachines.task.isFinal(state)) }
        #expect(WorkStateMachines.project.isFinal(.archived))
        #expect(WorkStateMachines.plan.isFinal(.archived))
        #expect(WorkStateMachines.execution.allows(.running, .completed))
        #expect(!WorkStateMachines.execution.allows(.queued, .completed))
    }

    @Test(arguments: [("HIGH", ExecutionPriority.critical), ("CRITICAL", .critical), ("MEDIUM", .normal), ("LOW", .low),
                      ("URGENT", .normal)])
    func taskPriorityMapsToExecutionPriority(_ task: String, _ execution: ExecutionPriority) {
        #expect(PriorityMapping.executionPriority(forTaskPriority: task) == execution)
    }

    @Test func missingPriorityIsNormal() {
        #expect(PriorityMapping.executionPriority(forTaskPriority: nil) == .normal)
    }
}

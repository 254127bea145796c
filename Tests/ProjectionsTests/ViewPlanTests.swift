@testable import Projections
import Testing

/// Which schemas each read.* view selects from, and when a replaced projection retires.
@Suite struct ViewPlanTests {
    let platform = ViewPlan.Serving(projection: "platform", schema: "proj_platform_v1", replaces: [],
                                    tables: ["agents", "rejected_events", "plans", "models"])
    func agents(_ version: Int = 1) -> ViewPlan.Serving {
        ViewPlan.Serving(projection: "agents", schema: "proj_agents_v\(version)", replaces: ["platform"], tables: ["agents", "rejected_events"])
    }
    let planning = ViewPlan.Serving(projection: "planning", schema: "proj_planning_v1", replaces: ["platform"], tables: ["plans", "rejected_events"])
    let catalog = ViewPlan.Serving(projection: "catalog", schema: "proj_catalog_v1", replaces: ["platform"], tables: ["models"])

    @Test func oneProjectionOneSchema() {
        let plan = ViewPlan(serving: [platform], tables: ["agents", "models"])
        #expect(plan.sources == ["agents": ["proj_platform_v1"], "models": ["proj_platform_v1"]])
        #expect(plan.retired.isEmpty)
    }

    @Test func aReplacementTakesOverItsTablesOnlyAndSharesACommonOne() {
        let plan = ViewPlan(serving: [platform, agents()], tables: ["agents", "rejected_events", "plans", "models"])
        #expect(plan.sources["agents"] == ["proj_agents_v1"])
        #expect(plan.sources["rejected_events"] == ["proj_agents_v1"], "the replaced one's rows would duplicate the replacement's")
        #expect(plan.sources["plans"] == ["proj_platform_v1"], "not taken over yet")
        #expect(plan.retired.isEmpty)
        let two = ViewPlan(serving: [platform, agents(), planning], tables: ["rejected_events"])
        #expect(two.sources["rejected_events"] == ["proj_agents_v1", "proj_planning_v1"], "a union of the replacements")
    }

    @Test func theReplacedProjectionRetiresOnceEveryTableIsTakenOver() {
        let plan = ViewPlan(serving: [platform, agents(), planning, catalog], tables: ["agents", "rejected_events", "plans", "models"])
        #expect(plan.retired == ["platform"])
        #expect(plan.sources.values.allSatisfy { !$0.contains("proj_platform_v1") })
    }

    @Test func referenceDataIsShownOnce() {
        var a = agents(), p = planning
        a.tables.insert("transitions"); a.referenceTables = ["transitions"]
        p.tables.insert("transitions"); p.referenceTables = ["transitions"]
        #expect(ViewPlan(serving: [a, p], tables: ["transitions"]).sources["transitions"] == ["proj_agents_v1"])
    }

    @Test func aTableNoVersionHasLosesItsView() {
        let plan = ViewPlan(serving: [agents(2)], tables: ["agents", "gone"])
        #expect(plan.sources["gone"] == [])
        #expect(plan.sources["agents"] == ["proj_agents_v2"])
    }
}

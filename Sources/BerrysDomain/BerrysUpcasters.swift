import BerrysJSON
import EventLog

/// The upcasters between schema versions of Berrys event types.
public enum BerrysUpcasters {
    /// Every upcaster the domain has.
    public static let all: [Upcaster] = [agentCreatedV1ToV2]

    /// `agent.created` v1 → v2: `type` becomes `agent_type`; `specializations` defaults to `[]`.
    /// (`capabilities` is new and optional, so v1 events simply have none.)
    public static let agentCreatedV1ToV2 = Upcaster(type: "agent.created", fromVersion: 1) { data in
        guard var members = data.objectValue else { return data }
        if let type = members.removeValue(forKey: "type") { members["agent_type"] = type }
        if members["specializations"] == nil { members["specializations"] = .array([]) }
        return .object(members)
    }
}

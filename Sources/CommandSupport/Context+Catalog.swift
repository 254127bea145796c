import Connectors
import EventLog
import Projections
import QueryAPI
import RedisClient
import Workers

extension Context {
    /// The event catalog of this installation: the domain's workers, the connectors folder's
    /// connectors and the projections folder's projections, with the types each receives and sends.
    /// - Parameter partitions: the log's partition count (the opened log's, or the settings').
    /// - Throws: a bad connector or projection file's error.
    public func catalog(partitions: Int) throws -> EventCatalog {
        EventCatalog(registry: registry, namespace: settings.log.namespace, partitions: partitions, redisAddress: redisAddress,
                     httpAddress: "\(settings.api.host):\(settings.api.port)", participants: try catalogParticipants())
    }

    func catalogParticipants() throws -> [EventCatalog.Participant] {
        let known = Set(registry.types)
        var participants = domain.workers.map { worker in
            EventCatalog.Participant(name: worker.name, kind: .worker, receives: worker.handledTypes, sends: worker.emittedTypes)
        }
        for connector in try ConnectorFolder.locate().map({ try ConnectorFolder.loadAll(from: $0, knownTypes: known) }) ?? [] {
            participants.append(EventCatalog.Participant(name: connector.name, kind: .connector, receives: connector.handledTypes(among: known)))
        }
        if ProjectionFolder.locate() != nil {
            for projection in try definitions() {
                let receives = projection.handles == ["*"] ? registry.types : projection.handles
                participants.append(EventCatalog.Participant(name: projection.name, kind: .projection, receives: receives))
            }
        }
        return participants
    }

    /// `host:port` of the first Redis seed, without credentials.
    var redisAddress: String {
        guard let seed = try? RedisConfiguration.seeds(url: settings.redisURL).first else { return settings.redisURL }
        return "\(seed.host):\(seed.port)"
    }
}

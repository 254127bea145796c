/// What a Redis Cluster error reply asks the client to do, read from its text.
///
/// - `MOVED <slot> <host>:<port>`: the slot lives on that node now; refresh the slot map, then
///   send the command there.
/// - `ASK <slot> <host>:<port>`: the slot is being migrated; send `ASKING` and the command to
///   that node once, without changing the map.
/// - `TRYAGAIN …` (a multi-key command during a migration) and `CLUSTERDOWN …`: back off, then
///   send it again.
public enum ClusterRedirection: Sendable, Hashable {
    case moved(slot: Int, host: String, port: Int)
    case ask(slot: Int, host: String, port: Int)
    case tryAgain
    case clusterDown

    /// The redirection an error reply's message means; nil for any other error.
    public init?(errorMessage message: String) {
        let words = message.split(separator: " ", omittingEmptySubsequences: true)
        guard let kind = words.first else { return nil }
        switch kind {
        case "TRYAGAIN":
            self = .tryAgain
        case "CLUSTERDOWN":
            self = .clusterDown
        case "MOVED", "ASK":
            guard words.count == 3, let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
                  let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...]),
                  (1...65535).contains(port) else { return nil }
            // An empty host (`MOVED 3999 :6380`) means the node that answered (Redis 7's
            // cluster-preferred-endpoint-type unknown-endpoint); the caller fills it in.
            let host = String(words[2][..<colon])
            self = kind == "MOVED" ? .moved(slot: slot, host: host, port: port) : .ask(slot: slot, host: host, port: port)
        default:
            return nil
        }
    }
}

/// Where a command's keys are, so that a cluster client can send it to the node owning them.
extension RedisCommand {
    /// The keys the command touches, as far as routing needs them: the first key decides the
    /// node; every other key must share its slot. Empty for a command without keys (PING,
    /// TIME, INFO, MULTI, EXEC, FUNCTION …), which any node can serve.
    public var keys: [ArraySlice<UInt8>] {
        guard let name = argument(0) else { return [] }
        switch String(decoding: name, as: UTF8.self).uppercased() {
        case "FCALL", "FCALL_RO", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO":
            guard let count = argument(2).flatMap({ Int(String(decoding: $0, as: UTF8.self)) }), count > 0 else { return [] }
            return (3..<min(3 + count, argumentCount)).compactMap(argument)
        case "XREAD", "XREADGROUP":
            // STREAMS k1 … kn id1 … idn: the first half after STREAMS.
            guard let streams = (1..<argumentCount).first(where: { argument($0).map { String(decoding: $0, as: UTF8.self).uppercased() } == "STREAMS" })
            else { return [] }
            let count = (argumentCount - streams - 1) / 2
            return (streams + 1..<streams + 1 + count).compactMap(argument)
        case "MGET", "DEL", "UNLINK", "EXISTS", "TOUCH", "WATCH":
            return (1..<argumentCount).compactMap(argument)
        case "MSET":
            return stride(from: 1, to: argumentCount, by: 2).compactMap(argument)
        case "XINFO", "XGROUP", "MEMORY", "OBJECT":
            // A subcommand, then the key (XINFO STREAM key, XGROUP CREATE key …, MEMORY USAGE key).
            let subcommand = argument(1).map { String(decoding: $0, as: UTF8.self).uppercased() }
            if subcommand == "HELP" || subcommand == "STATS" || subcommand == "DOCTOR" { return [] }
            return argument(2).map { [$0] } ?? []
        case "PING", "TIME", "INFO", "MULTI", "EXEC", "DISCARD", "UNWATCH", "FUNCTION", "SCRIPT", "CLUSTER", "ASKING",
             "READONLY", "READWRITE", "SCAN", "DBSIZE", "FLUSHDB", "FLUSHALL", "CONFIG", "CLIENT", "WAIT", "COMMAND",
             "SELECT", "AUTH", "HELLO", "ECHO", "DEBUG", "SHUTDOWN", "ROLE", "LASTSAVE", "BGSAVE", "BGREWRITEAOF", "SAVE":
            return []
        default:
            return argument(1).map { [$0] } ?? []
        }
    }

    /// The slot of the command's first key; nil for a command without keys.
    public var slot: Int? {
        keys.first.map { HashSlot.of(Array($0)) }
    }

    /// True when every key of the command lies in one slot (always for zero or one key).
    /// A command whose keys span slots is refused by a cluster (`CROSSSLOT`): a bug of the caller.
    public var keysShareOneSlot: Bool {
        let slots = Set(keys.map { HashSlot.of(Array($0)) })
        return slots.count <= 1
    }
}

extension RedisValue {
    /// A flat `[name, value, name, value, …]` array (a stream entry's fields) as pairs, in
    /// order; nil when this is not an array.
    public var fieldPairs: [(String, String)]? {
        guard let flat = array else { return nil }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(flat.count / 2)
        var index = 0
        while index + 1 < flat.count {
            pairs.append((flat[index].string ?? "", flat[index + 1].string ?? ""))
            index += 2
        }
        return pairs
    }
}

extension RedisValue {
    /// A flat `[name, value, name, value, …]` reply (XINFO, CLUSTER SHARDS) as a dictionary;
    /// empty when this is not an array.
    public var fieldMap: [String: RedisValue] {
        let flat = array ?? []
        var map: [String: RedisValue] = [:]
        var index = 0
        while index + 1 < flat.count {
            map[flat[index].string ?? ""] = flat[index + 1]
            index += 2
        }
        return map
    }
}

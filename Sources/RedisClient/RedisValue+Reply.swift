import CHiredis

extension RedisValue {
    /// Copies a hiredis reply in `shape`; the caller frees `reply`. A reply that does not have
    /// the shape (an error, or something unexpected) is copied as a generic value.
    init(copying reply: UnsafeMutablePointer<redisReply>, shape: RedisReplyShape) {
        switch shape {
        case .value:
            break
        case .streamEntries:
            if let entries = Self.streamEntries(reply) {
                self = .streamEntries(entries)
                return
            }
        case .firstStreamEntries:
            let r = reply.pointee
            if r.type == REDIS_REPLY_NIL {
                self = .streamEntries([])
                return
            }
            if r.type == REDIS_REPLY_ARRAY, r.elements >= 1, let stream = r.element[0], stream.pointee.type == REDIS_REPLY_ARRAY,
               stream.pointee.elements == 2, let list = stream.pointee.element[1], let entries = Self.streamEntries(list) {
                self = .streamEntries(entries)
                return
            }
        case .transaction(let shapes):
            let r = reply.pointee
            if r.type == REDIS_REPLY_ARRAY, r.elements == shapes.count {
                self = .array(shapes.indices.map { index in
                    guard let element = r.element[index] else { return .null }
                    return RedisValue(copying: element, shape: shapes[index])
                })
                return
            }
        }
        self.init(copying: reply)
    }

    /// `[[id, [name, value, …]], …]` as entries (nil items skipped), or nil for another shape.
    private static func streamEntries(_ reply: UnsafeMutablePointer<redisReply>) -> [RedisStreamEntry]? {
        let r = reply.pointee
        guard r.type == REDIS_REPLY_ARRAY else { return nil }
        var entries: [RedisStreamEntry] = []
        entries.reserveCapacity(Int(r.elements))
        for index in 0..<Int(r.elements) {
            guard let item = r.element[index]?.pointee, item.type == REDIS_REPLY_ARRAY else { continue }
            guard item.elements == 2, let id = item.element[0], id.pointee.type == REDIS_REPLY_STRING,
                  let list = item.element[1], list.pointee.type == REDIS_REPLY_ARRAY else { return nil }
            let flat = list.pointee
            var fields: [(String, String)] = []
            fields.reserveCapacity(Int(flat.elements) / 2)
            var position = 0
            while position + 1 < Int(flat.elements) {
                guard let name = flat.element[position], let value = flat.element[position + 1] else { return nil }
                fields.append((text(name), text(value)))
                position += 2
            }
            entries.append(RedisStreamEntry(id: text(id), fields: fields))
        }
        return entries
    }

    /// A string reply's bytes as text, copied once (short ones stay inline in the `String`).
    private static func text(_ reply: UnsafeMutablePointer<redisReply>) -> String {
        let r = reply.pointee
        guard let pointer = r.str, r.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: r.len), as: UTF8.self)
    }

    /// Copies a hiredis reply (and its children) into Swift values; the caller frees `reply`.
    init(copying reply: UnsafeMutablePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var values: [RedisValue] = []
            values.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let child = r.element[index] { values.append(RedisValue(copying: child)) } else { values.append(.null) }
            }
            self = .array(values)
        default:
            self = .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}

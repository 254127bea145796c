import BerrysFoundation
/// Commands sent to the node serving their keys, following the cluster's redirections.
extension RedisPool {
    /// Sends one command to the node serving its key, error replies returned as `.error`.
    public func sendReturningErrors(_ command: RedisCommand) async throws -> RedisValue {
        assert(command.keysShareOneSlot, "\(command.name): its keys span slots, which a cluster refuses (CROSSSLOT)")
        var asking: RedisNodeAddress?
        // One node needs no slot (working it out costs more than the routing itself).
        let slot = topology.mode == .single ? nil : command.slot
        do {
            return try await redirections.run(deciding: { error in
                switch (error as? Redirected)?.redirection {
                case nil: .stop
                case .moved, .ask: .atOnce
                case .tryAgain, .clusterDown: .afterBackoff
                }
            }) {
                let askedFor = asking
                asking = nil
                let node = if let askedFor { askedFor } else { try await topology.node(forSlot: slot) }
                let reply = try await topology.pool(for: node).withConnection { connection in
                    askedFor == nil ? try await connection.pipelineKeepingRedirections([command])[0]
                                    : try await connection.pipelineKeepingRedirections([RedisCommand("ASKING"), command])[1]
                }
                guard let message = reply.errorMessage, let redirection = ClusterRedirection(errorMessage: message) else { return reply }
                if case .ask(_, let host, let port) = redirection {
                    asking = RedisNodeAddress(host: host.isEmpty ? node.host : host, port: port)
                }
                throw Redirected(reply: reply, redirection: redirection)
            }
        } catch let redirected as Redirected {
            return redirected.reply  // redirected more often than allowed: the caller sees the last reply
        }
    }

    /// A reply that redirects the command, thrown to the redirection loop.
    private struct Redirected: Error {
        let reply: RedisValue
        let redirection: ClusterRedirection
    }

    /// Pipelines commands: on one connection to one node, or split by node in a cluster (each
    /// node's share pipelined on one of its connections, all nodes at once). Replies come back
    /// in the commands' order, error replies in their place. A command without keys (MULTI,
    /// EXEC, TIME) goes with the command before it, or the first keyed command after it.
    /// Commands a cluster redirected are sent again one by one, in order.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let groups = try await groupByNode(commands)
        var replies = [RedisValue](repeating: .null, count: commands.count)
        if groups.count == 1, let only = groups.first {
            let got = try await topology.pool(for: only.node).withConnection { try await $0.pipelineKeepingRedirections(commands) }
            for (index, reply) in got.enumerated() { replies[index] = reply }
        } else {
            try await withThrowingTaskGroup(of: [(Int, RedisValue)].self) { tasks in
                for group in groups {
                    tasks.addTask {
                        let got = try await topology.pool(for: group.node).withConnection { connection in
                            try await connection.pipelineKeepingRedirections(group.indices.map { commands[$0] })
                        }
                        return Array(zip(group.indices, got))
                    }
                }
                for try await part in tasks {
                    for (index, reply) in part { replies[index] = reply }
                }
            }
        }
        for index in replies.indices where replies[index].errorMessage.flatMap(ClusterRedirection.init(errorMessage:)) != nil {
            replies[index] = try await sendReturningErrors(commands[index])
        }
        return replies
    }

    /// The commands' indices per node, in order.
    private func groupByNode(_ commands: [RedisCommand]) async throws -> [(node: RedisNodeAddress, indices: [Int])] {
        if topology.mode == .single {
            return [(RedisNodeAddress(configuration), Array(commands.indices))]
        }
        let slots = commands.map(\.slot)
        var nodes: [RedisNodeAddress?] = []
        nodes.reserveCapacity(commands.count)
        for slot in slots {
            if let slot { nodes.append(try await topology.node(forSlot: slot)) } else { nodes.append(nil) }
        }
        if topology.mode == .single {
            return [(RedisNodeAddress(configuration), Array(commands.indices))]
        }
        // Keyless commands go with their neighbours.
        var previous = nodes.first { $0 != nil } ?? nil
        var groups: [(node: RedisNodeAddress, indices: [Int])] = []
        var position: [RedisNodeAddress: Int] = [:]
        for index in commands.indices {
            let node: RedisNodeAddress
            if let known = nodes[index] ?? previous { node = known } else { node = try await topology.node(forSlot: nil) }
            previous = node
            if let at = position[node] {
                groups[at].indices.append(index)
            } else {
                position[node] = groups.count
                groups.append((node, [index]))
            }
        }
        return groups
    }

    /// Runs `body` on a connection to every primary (the one node outside a cluster), all at
    /// once; the results in the order of `primaries()`.
    public func forEachPrimary<T: Sendable>(_ body: @escaping @Sendable (RedisNodeAddress, RedisConnection) async throws -> T) async throws -> [T] {
        let primaries = try await primaries()
        return try await withThrowingTaskGroup(of: (Int, T).self) { tasks in
            for (index, node) in primaries.enumerated() {
                tasks.addTask { (index, try await topology.pool(for: node).withConnection { try await body(node, $0) }) }
            }
            var results: [(Int, T)] = []
            for try await result in tasks { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

extension RedisPool {
    /// Every key matching `pattern` (`SCAN … MATCH`), on the one node or on every primary of a
    /// cluster. Keys written while it runs may or may not be listed, as with SCAN.
    public func scanKeys(matching pattern: String, batch: Int = 1000) async throws -> [String] {
        try await forEachPrimary { _, connection in
            var keys: [String] = []
            var cursor = "0"
            repeat {
                let reply = try await connection.send(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", String(batch)))
                guard let parts = reply.array, parts.count == 2 else { break }
                cursor = parts[0].string ?? "0"
                keys += (parts[1].array ?? []).compactMap(\.string)
            } while cursor != "0"
            return keys
        }.flatMap { $0 }
    }
}

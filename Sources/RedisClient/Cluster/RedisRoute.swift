/// How a connection made by a pool takes part in cluster routing: it reports redirections and
/// lost nodes to the pool's topology, and a connection that follows a slot asks it which node
/// to connect to each time it connects.
struct RedisRoute: Sendable {
    /// True for a connection held by one caller for one partition (blocking reads): after a
    /// redirection it reconnects to whichever node serves the slot then.
    let followsSlot: Bool
    /// The node to connect to now.
    let node: @Sendable () -> RedisNodeAddress
    /// A redirection a node (the second argument) replied.
    let observe: @Sendable (ClusterRedirection, RedisNodeAddress) -> Void
    /// A node that could not be reached.
    let lost: @Sendable (RedisNodeAddress) -> Void
}

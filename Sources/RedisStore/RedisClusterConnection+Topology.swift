// The router's view of the cluster: one `RedisConnection` per node it talks to (on its loop), the
// CLUSTER SLOTS refresh, and readiness. Refreshes are asked for on MOVED, CLUSTERDOWN, a transport failure,
// a node connection dropping, and a command for an unmapped or down primary; at most one is in flight and
// they are spaced by `refreshMinIntervalNanos`. While a mapped primary stays down, refreshes repeat at that
// interval, so a failover's promoted replica replaces it in the map. Nodes that are no longer primaries
// (a demoted primary, a replica seed) have their connections closed after each refresh.

extension RedisClusterConnection {
    /// Opens connections to the seeds (used to learn the map when no known node is up).
    func connectSeeds() {
        for seed in address.seeds {
            guard case .tcp(let host, let port) = seed else { continue }
            ensureLink(RedisClusterNode(host: host, port: port))
        }
    }

    /// Makes sure a started connection to `node` exists.
    func ensureLink(_ node: RedisClusterNode) {
        guard links[node] == nil, !closed else { return }
        let connection = RedisConnection(address: address.node(host: node.host, port: node.port), loop: loop,
                                         configuration: configuration.connection)
        for script in scripts { connection.register(script) }
        connection.onCommandComplete = onCommandComplete
        connection.onStateChange = { [weak self] state in self?.nodeStateChanged(node, state) }
        links[node] = NodeLink(connection: connection, createdAt: loop.clock.nowNanos())
        connection.start()
    }

    private func nodeStateChanged(_ node: RedisClusterNode, _ state: RedisConnectionState) {
        guard !closed else { return }
        if state == .connected {
            links[node]?.everConnected = true
            if refreshWanted || slotMap.coveredSlots == 0 { requestRefresh() }
        } else {
            requestRefresh()
        }
        updateReadiness()
    }

    /// Asks for a CLUSTER SLOTS refresh: now, or when the minimum interval since the last one has passed.
    func requestRefresh() {
        guard started, !closed else { return }
        refreshWanted = true
        if refreshInFlight { return }
        if let timer = refreshTimer, timer.isPending { return }
        let now = loop.clock.nowNanos()
        if let last = lastRefreshStart, now &- last < configuration.refreshMinIntervalNanos {
            refreshTimer = loop.schedule(at: last &+ configuration.refreshMinIntervalNanos) { [weak self] in
                self?.refreshTimer = nil
                self?.refreshNow()
            }
            return
        }
        refreshNow()
    }

    /// Sends CLUSTER SLOTS to a connected node (mapped primaries first), or opens the seeds when none is
    /// up (the first one to connect refreshes).
    private func refreshNow() {
        guard started, !closed, !refreshInFlight, refreshWanted else { return }
        let connected = links.filter { $0.value.connection.isConnected }
        let asked = slotMap.nodes.first { connected[$0] != nil } ?? connected.keys.sorted { $0.description < $1.description }.first
        guard let node = asked, let connection = connected[node]?.connection else {
            connectSeeds()
            return
        }
        refreshWanted = false
        refreshInFlight = true
        lastRefreshStart = loop.clock.nowNanos()
        slotMapRefreshes += 1
        connection.send(RedisCommand(["CLUSTER", "SLOTS"]), timeoutNanos: configuration.refreshTimeoutNanos) { [weak self] result in
            guard let self else { return }
            self.refreshInFlight = false
            guard !self.closed else { return }
            if case .success(let reply) = result, let map = RedisClusterSlotMap.parse(clusterSlots: reply, askedHost: node.host),
               map.coveredSlots > 0 {
                self.apply(map)
            } else {
                self.refreshWanted = true
            }
            if self.refreshWanted { self.requestRefresh() }
        }
    }

    /// Installs a fresh map: connections to new primaries, closes those to nodes that are not primaries.
    private func apply(_ map: RedisClusterSlotMap) {
        slotMap = map
        let primaries = Set(map.nodes)
        for node in map.nodes { ensureLink(node) }
        var dropped: [RedisConnection] = []
        for (node, link) in links where !primaries.contains(node) {
            dropped.append(link.connection)
            links[node] = nil
        }
        // Closed on a later pass: this runs inside one connection's reply callback.
        if !dropped.isEmpty {
            _ = loop.schedule(after: 0) { for connection in dropped { connection.close() } }
        }
        // A mapped primary that was up and is down: keep refreshing until a failover replaces it.
        if map.nodes.contains(where: { links[$0].map { $0.everConnected && !$0.connection.isConnected } ?? false }) {
            refreshWanted = true
        }
        updateReadiness()
    }

    /// Recomputes `isReady`, reporting changes and releasing waiters.
    func updateReadiness() {
        let ready = !closed && slotMap.coveredSlots == HashSlot.count
            && slotMap.nodes.allSatisfy { links[$0]?.connection.isConnected == true }
        guard ready != isReady else { return }
        isReady = ready
        if ready {
            let waiters = readyWaiters
            readyWaiters = []
            for waiter in waiters { waiter.resolve(.success(.status("OK"))) }
        }
        onStateChange?(ready ? .connected : .disconnected)
    }

    /// The node serving `slot` in the current map, as `host:port` (tests, diagnostics).
    public func owner(ofSlot slot: Int) -> RedisClusterNode? {
        precondition(loop.inEventLoop, "RedisClusterConnection.owner(ofSlot:) must run on its loop")
        return slotMap.owner(of: slot)
    }
}

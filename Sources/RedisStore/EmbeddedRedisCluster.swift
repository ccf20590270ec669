// A private Redis Cluster for tests: N primaries + N×R replicas, each an `EmbeddedRedis` (own state
// directory, free loopback port, `--cluster-enabled yes`, a short `--cluster-node-timeout` so failovers
// take about a second), joined with `redis-cli --cluster create ... --cluster-replicas R --cluster-yes`,
// then polled (bounded) until every node says `cluster_state:ok` and knows every other node. Every call
// BLOCKS (bounded): tests and startup only, never on an event loop. Processes are stopped by PID only.
import Glibc
import Reactor

/// A private Redis Cluster of `redis-server` processes on 127.0.0.1.
public final class EmbeddedRedisCluster: Sendable {
    /// How long `start` waits for `redis-cli --cluster create` to finish.
    public static let createTimeoutNanos: UInt64 = 30_000_000_000
    /// How long `start` waits for every node to report `cluster_state:ok`.
    public static let convergeTimeoutNanos: UInt64 = 30_000_000_000
    /// Default `cluster-node-timeout`, in milliseconds (a killed primary's replica takes over ~1-2 s later).
    public static let defaultNodeTimeoutMillis = 1000

    /// The nodes, in creation order; `redis-cli` makes the first `primaries` of them primaries.
    public let nodes: [EmbeddedRedis]
    /// The cluster URL listing every node as a seed.
    public let url: String
    /// The parsed form of `url`.
    public let address: RedisClusterAddress
    /// The root state directory (one `node-i` directory per node).
    public let stateDir: String

    private init(nodes: [EmbeddedRedis], stateDir: String) {
        self.nodes = nodes
        self.stateDir = stateDir
        let seeds = nodes.map { $0.address.endpoint }
        address = RedisClusterAddress(seeds: seeds)
        url = address.description
    }

    deinit {
        for node in nodes { node.kill() }
    }

    /// Starts the nodes, creates the cluster and waits until it is up.
    /// - Parameters:
    ///   - stateDir: root directory (created if missing); node `i` lives in `stateDir/node-i`.
    ///   - primaries: number of primaries (3 or more: `redis-cli` refuses fewer).
    ///   - replicasPerPrimary: replicas of each primary.
    ///   - nodeTimeoutMillis: `cluster-node-timeout`.
    ///   - executable: the `redis-server` binary; nil searches `PATH` (`redis-cli` is looked for beside it).
    /// - Throws: `RedisError.embeddedServer` with a one-line message; nodes already started are stopped.
    public static func start(stateDir: String, primaries: Int = 3, replicasPerPrimary: Int = 1,
                             nodeTimeoutMillis: Int = defaultNodeTimeoutMillis,
                             executable: String? = nil) throws(RedisError) -> EmbeddedRedisCluster {
        let server = try EmbeddedRedis.locate(executable, searchDirectories: EmbeddedRedis.defaultSearchDirectories())
        let cliDir = String(server[..<(server.lastIndex(of: "/") ?? server.startIndex)])
        let cli: String
        do throws(RedisError) {
            cli = try EmbeddedRedis.locate(nil, searchDirectories: [cliDir] + EmbeddedRedis.defaultSearchDirectories(), name: "redis-cli")
        } catch {
            throw .embeddedServer("redis-cli not found: install it with 'apt-get install redis-tools'")
        }
        let root = EmbeddedRedis.absolute(stateDir)
        try EmbeddedRedis.makeDirectories(root)
        var nodes: [EmbeddedRedis] = []
        let total = primaries * (1 + replicasPerPrimary)
        do throws(RedisError) {
            for i in 0..<total {
                // The bus port is picked free too (the default, port + 10,000, may be taken or past 65,535).
                guard let busPort = BlockingRedis.freeLoopbackPort() else { throw RedisError.embeddedServer("no free loopback port for the cluster bus") }
                nodes.append(try EmbeddedRedis.start(
                    stateDir: "\(root)/node-\(i)", mode: .tcpLoopback,
                    extraArguments: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                     "--cluster-node-timeout", String(nodeTimeoutMillis), "--cluster-port", String(busPort)],
                    executable: server))
            }
            let cluster = EmbeddedRedisCluster(nodes: nodes, stateDir: root)
            try cluster.create(cli: cli, replicasPerPrimary: replicasPerPrimary)
            try cluster.waitUntilConverged()
            return cluster
        } catch {
            for node in nodes { node.stop() }
            throw error
        }
    }

    /// Stops every node (SHUTDOWN NOSAVE, SIGKILL fallback; by PID).
    public func stop() {
        for node in nodes { node.stop() }
    }

    /// `INFO section` of node `index` as text, or nil when it does not answer (blocking, bounded).
    public func info(_ index: Int, _ section: String) -> String? {
        let reply = BlockingRedis.roundTrip(nodes[index].address.endpoint, RedisCommand(["INFO", section]),
                                            timeoutMillis: EmbeddedRedis.probeTimeoutMillis, complete: BlockingRedis.isCompleteReply)
        return reply.flatMap(BlockingRedis.bulkText)
    }

    /// The value of `field` in node `index`'s `INFO section` or `CLUSTER INFO` (section "cluster-info").
    public func field(_ index: Int, _ section: String, _ field: String) -> String? {
        let text: String?
        if section == "cluster-info" {
            text = BlockingRedis.roundTrip(nodes[index].address.endpoint, RedisCommand(["CLUSTER", "INFO"]),
                                           timeoutMillis: EmbeddedRedis.probeTimeoutMillis, complete: BlockingRedis.isCompleteReply)
                .flatMap(BlockingRedis.bulkText)
        } else {
            text = info(index, section)
        }
        guard let text else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            return String(line.dropFirst(field.count + 1))
        }
        return nil
    }

    // MARK: setup

    private func create(cli: String, replicasPerPrimary: Int) throws(RedisError) {
        var args = [cli, "--cluster", "create"]
        for node in nodes {
            guard case .tcp(let host, let port) = node.address.endpoint else { continue }
            args.append("\(host):\(port)")
        }
        args += ["--cluster-replicas", String(replicasPerPrimary), "--cluster-yes"]
        let logPath = stateDir + "/cluster-create.log"
        let out = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { if out >= 0 { Glibc.close(out) } }
        let pid: Int32
        do {
            pid = try Linux.spawn(cli, args, stdoutFD: out >= 0 ? out : nil)
        } catch {
            throw .embeddedServer("cannot start \(cli): \(error)")
        }
        let deadline = MonotonicClock().nowNanos() &+ Self.createTimeoutNanos
        while MonotonicClock().nowNanos() < deadline {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                let exited = status & 0x7f == 0
                let code = (status >> 8) & 0xff
                guard exited, code == 0 else { throw .embeddedServer("redis-cli --cluster create failed (status \(status)); see \(logPath)") }
                return
            }
            if rc < 0 && errno != EINTR { throw .embeddedServer("waitpid on redis-cli failed; see \(logPath)") }
            EmbeddedRedis.pause()
        }
        EmbeddedRedis.killAndReap(pid)
        throw .embeddedServer("redis-cli --cluster create did not finish within \(Self.createTimeoutNanos / 1_000_000_000) s; see \(logPath)")
    }

    private func waitUntilConverged() throws(RedisError) {
        let deadline = MonotonicClock().nowNanos() &+ Self.convergeTimeoutNanos
        let known = String(nodes.count)
        while MonotonicClock().nowNanos() < deadline {
            let ok = nodes.indices.allSatisfy { i in
                field(i, "cluster-info", "cluster_state") == "ok" && field(i, "cluster-info", "cluster_known_nodes") == known
            }
            if ok { return }
            EmbeddedRedis.pause()
        }
        throw .embeddedServer("the cluster did not reach cluster_state:ok on every node within \(Self.convergeTimeoutNanos / 1_000_000_000) s")
    }
}

// Lua scripts on a command connection: EVALSHA first, EVAL with the source on NOSCRIPT (after a Redis
// restart or SCRIPT FLUSH), one completion either way. Scripts used here are remembered and SCRIPT
// LOADed on every reconnect so the fallback stays rare.

extension RedisConnection {
    /// Remembers `script` so it is SCRIPT LOADed on every (re)connect (and now, if connected).
    /// Loop thread only.
    public func register(_ script: RedisScript) {
        precondition(loop.inEventLoop, "RedisConnection.register must run on its loop")
        guard scripts[script.sha1] == nil else { return }
        scripts[script.sha1] = script
        scriptOrder.append(script.sha1)
        if isConnected {
            send(RedisCommand(["SCRIPT", "LOAD", script.source]), deadline: deadline(nil)) { _ in }
        }
    }

    /// Runs `script` with EVALSHA, falling back to EVAL on a NOSCRIPT reply. Loop thread only.
    /// - Parameters:
    ///   - script: the script (registered for reconnects if it was not).
    ///   - keys: KEYS[1...].
    ///   - args: ARGV[1...].
    ///   - timeoutNanos: deadline for the whole call, fallback included; nil uses the configured default.
    ///   - completion: called exactly once, on the loop; a script error is `.success(.error(text))`.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = [],
                           timeoutNanos: UInt64? = nil,
                           _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        precondition(loop.inEventLoop, "RedisConnection.evalScript must run on its loop")
        register(script)
        let deadline = deadline(timeoutNanos)
        send(RedisCommand.evalsha(script.sha1, keys: keys, args: args), deadline: deadline) { [weak self] result in
            guard case .success(.error(let message)) = result, message.hasPrefix("NOSCRIPT"), let self else {
                return completion(result)
            }
            self.scriptFallbackCount += 1
            self.send(RedisCommand.eval(script.source, keys: keys, args: args), deadline: deadline, completion)
        }
    }
}

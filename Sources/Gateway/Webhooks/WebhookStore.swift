// API: webhook subscriptions in Redis (contract §5), for the admin API and `gateway webhooks`, on one
// loop's connection. Each subscription is the hash `wg:webhooks:sub:<id>` (WebhookSubscription+Redis)
// listed in the set `wg:webhooks:ids`; every change publishes the id on `wg:webhooks:changed` so nodes
// re-read it at once (and a periodic re-read covers a lost notice). Input is validated by
// WebhookSubscriptionInput before any call here; every change is one script (WebhookStoreScripts).
// Results are `Problem`s ready for HTTP: 404 for an unknown id, 503 when Redis is unreachable, 500 for
// an error reply or a corrupt hash.
// Deleting a subscription leaves its pending delivery records: the runner settles them as dead when it
// finds the subscription gone (the settle script keeps no counters for a deleted hash), so a delete never
// races a delivery in flight.
import RedisStore

/// The subscription store of one loop.
struct WebhookStore {
    let connection: RedisConnection
    var settings = WebhookSettings()
    /// Unix ms (created_at, rotation grace); injected by tests.
    var nowMillis: @Sendable () -> Int64 = { WallClock.nowMillis() }
    /// The CSPRNG (ids and secrets); injected by tests.
    var random: @Sendable (Int) -> [UInt8]? = { Crypto.randomBytes(count: $0) }
    /// Most dead letters one listing returns.
    var deadListLimit = 100
    /// Most dead-letter entries one listing or replay scans (the stream is trimmed to about this length).
    var deadScanLimit = 10_000
    /// The event stream a replay of stored events reads.
    var stream = EventKeys.stream
    /// Entries of the event stream read per page by a replay of stored events.
    var streamPageEntries = 1000
    /// Most event-stream entries one replay of stored events scans (the stream's default length).
    var streamScanLimit = EventSettings().streamMaxLength

    /// Stores a new subscription from create input and returns it (with its secret).
    func create(_ input: WebhookSubscriptionInput, _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        guard let id = WebhookSubscription.newID(settings: settings, random: random),
              let secret = WebhookSecret.generate(settings: settings, random: random) else { return done(.failure(.internalError)) }
        let sub: WebhookSubscription
        switch WebhookSubscription.create(input, id: id, secret: secret, nowMillis: nowMillis()) {
        case .failure(let p): return done(.failure(p))
        case .success(let s): sub = s
        }
        let pairs = sub.redisFields.flatMap { [$0.0, $0.1] }
        connection.evalScript(WebhookStoreScripts.create, keys: [WebhookQueueKeys.subscription(id), WebhookQueueKeys.ids],
                              args: [WebhookQueueKeys.changed, id] + pairs) { result in
            done(Self.reply(result).flatMap { $0.integer == 1 ? .success(sub) : .failure(.internalError) })
        }
    }

    /// The subscription `id`, or 404.
    func get(_ id: String, _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        let settings = self.settings
        connection.send(RedisCommand(["HGETALL", WebhookQueueKeys.subscription(id)])) { result in
            done(Self.reply(result).flatMap { Self.subscription($0, settings: settings) })
        }
    }

    /// Every subscription, oldest first (a hash that does not decode is logged and left out).
    func list(_ done: @escaping (Result<[WebhookSubscription], Problem>) -> Void) {
        let settings = self.settings
        connection.evalScript(WebhookStoreScripts.list, keys: [WebhookQueueKeys.ids], args: [WebhookQueueKeys.subscriptionPrefix]) { result in
            done(Self.reply(result).flatMap { reply in
                guard let hashes = reply.array else { return .failure(.internalError) }
                var out: [WebhookSubscription] = []
                for hash in hashes {
                    guard case .success(let s) = Self.subscription(hash, settings: settings) else {
                        Log.warning("webhook subscription hash does not decode; skipped")
                        continue
                    }
                    out.append(s)
                }
                return .success(out.sorted { ($0.createdAtMillis, $0.id) < ($1.createdAtMillis, $1.id) })
            })
        }
    }

    /// Changes only the fields `input` carries (validated patch input), all at once; 404 when `id` is gone.
    func patch(_ id: String, _ input: WebhookSubscriptionInput, _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        var pairs: [String] = []
        if let u = input.url { pairs += ["url", u.text] }
        if let e = input.events { pairs += ["events", e.storedText] }
        if let d = input.description { pairs += ["description", d] }
        if let s = input.secret { pairs += ["secret", s.text] }
        let enabled = input.enabled.map { $0 ? "1" : "0" } ?? ""
        changed(WebhookStoreScripts.patch, id, [enabled] + pairs, done)
    }

    /// Enables (failure record cleared) or disables (`manual`, unless already disabled) `id`.
    func setEnabled(_ id: String, _ enabled: Bool, _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        patch(id, WebhookSubscriptionInput(enabled: enabled), done)
    }

    /// A new secret for `id`; the previous one signs until now + the rotation grace. Returns the subscription
    /// as ``WebhookSubscription/rotated(to:nowMillis:settings:)`` describes it.
    func rotateSecret(_ id: String, _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        guard let secret = WebhookSecret.generate(settings: settings, random: random) else { return done(.failure(.internalError)) }
        let until = nowMillis() + settings.rotationGraceMillis
        changed(WebhookStoreScripts.rotate, id, [secret.text, String(until)], done)
    }

    /// Deletes `id` (404 when absent).
    func delete(_ id: String, _ done: @escaping (Result<Void, Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        connection.evalScript(WebhookStoreScripts.delete, keys: [WebhookQueueKeys.subscription(id), WebhookQueueKeys.ids],
                              args: [WebhookQueueKeys.changed, id]) { result in
            done(Self.reply(result).flatMap { $0.integer == 1 ? .success(()) : .failure(.notFound) })
        }
    }

    /// The newest dead letters of `id` (at most ``deadListLimit``, among the newest ``deadScanLimit`` entries).
    func dead(_ id: String, _ done: @escaping (Result<[WebhookDeadLetter], Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        connection.evalScript(WebhookStoreScripts.dead, keys: [WebhookQueueKeys.dead, WebhookQueueKeys.subscription(id)],
                              args: [id, String(deadListLimit), String(deadScanLimit)]) { result in
            done(Self.reply(result).flatMap { reply in
                if reply.isNull { return .failure(.notFound) }
                guard let parts = reply.array?.compactMap(\.string), let letters = WebhookDeadLetter.decode(parts) else {
                    return .failure(.internalError)
                }
                return .success(letters)
            })
        }
    }

    /// Sends deliveries to subscription `id` again; returns how many were queued (due at once, fresh
    /// attempt count; one already pending is left as it is).
    /// - No `fromMillis`, no `eventID`: every dead delivery of the subscription.
    /// - `eventID` alone: that dead delivery; when it is not among the dead letters, that event from the
    ///   event stream if the stream still holds it (whatever the subscription's filter: it was named).
    /// - `fromMillis`: every event the stream holds from that Unix ms on that the subscription's filter
    ///   takes (with `eventID` too: only that one).
    func replay(_ id: String, eventID: String?, fromMillis: Int64? = nil, _ done: @escaping (Result<Int, Problem>) -> Void) {
        guard WebhookSubscription.isID(id) else { return done(.failure(.notFound)) }
        if let fromMillis { return replayStored(id, eventID: eventID, fromMillis: fromMillis, done) }
        let keys = [WebhookQueueKeys.dead, WebhookQueueKeys.due, WebhookQueueKeys.subscription(id), WebhookQueueKeys.created]
        connection.evalScript(WebhookStoreScripts.replay, keys: keys,
                              args: [id, eventID ?? "", String(deadScanLimit), WebhookQueueKeys.deliveryPrefix]) { [self] result in
            let replayed: Result<Int, Problem> = Self.reply(result).flatMap { reply in
                guard let n = reply.integer else { return .failure(.internalError) }
                return n < 0 ? .failure(.notFound) : .success(Int(n))
            }
            if case .success(0) = replayed, let eventID { return replayStored(id, eventID: eventID, fromMillis: nil, done) }
            done(replayed)
        }
    }

    /// Stored events to one subscription: pages of the event stream (oldest first from `fromMillis`, else
    /// newest first looking for `eventID`), each page's matches queued by one script.
    private func replayStored(_ id: String, eventID: String?, fromMillis: Int64?, _ done: @escaping (Result<Int, Problem>) -> Void) {
        get(id) { [self] found in
            guard case .success(let sub) = found else { return done(found.map { _ in 0 }) }
            var total = 0, scanned = 0
            func page(_ cursor: String) {
                let command: [String]
                if fromMillis != nil {
                    command = ["XRANGE", stream, cursor, "+", "COUNT", String(streamPageEntries)]
                } else {
                    command = ["XREVRANGE", stream, cursor, "-", "COUNT", String(streamPageEntries)]
                }
                connection.send(RedisCommand(command)) { [self] result in
                    guard case .success(let reply) = Self.reply(result) else { return done(.failure(.redisUnavailable)) }
                    let entries = WebhookStreamReader.entries(reply)
                    scanned += entries.count
                    var triples: [String] = []
                    var foundNamed = false
                    for e in entries {
                        guard let envelope = try? WebhookEnvelope(fields: e.fields) else { continue }
                        if let eventID {
                            guard envelope.eventID == eventID else { continue }
                            foundNamed = true
                        } else if !sub.events.matches(envelope.hook) {
                            continue
                        }
                        triples += [envelope.eventID, envelope.hook, String(decoding: envelope.body, as: UTF8.self)]
                    }
                    let more = entries.count == streamPageEntries && scanned < streamScanLimit && !foundNamed
                    let next = entries.last.map { "(" + $0.id } ?? cursor  // exclusive: after (or before) the last one read
                    let keys = [WebhookQueueKeys.due, WebhookQueueKeys.created, WebhookQueueKeys.subscription(id)]
                    guard !triples.isEmpty else { return more ? page(next) : done(.success(total)) }
                    connection.evalScript(WebhookStoreScripts.enqueue, keys: keys, args: [id, WebhookQueueKeys.deliveryPrefix] + triples) { result in
                        switch Self.reply(result) {
                        case .failure(let p): return done(.failure(p))
                        case .success(let r):
                            guard let n = r.integer else { return done(.failure(.internalError)) }
                            if n < 0 { return done(.failure(.notFound)) }
                            total += Int(n)
                        }
                        more ? page(next) : done(.success(total))
                    }
                }
            }
            page(fromMillis.map { "\($0)-0" } ?? "+")
        }
    }

    /// Runs a script that changes one subscription and answers with its hash (nil reply: 404).
    private func changed(_ script: RedisScript, _ id: String, _ args: [String], _ done: @escaping (Result<WebhookSubscription, Problem>) -> Void) {
        let settings = self.settings
        connection.evalScript(script, keys: [WebhookQueueKeys.subscription(id)], args: [WebhookQueueKeys.changed, id] + args) { result in
            done(Self.reply(result).flatMap { Self.subscription($0, settings: settings) })
        }
    }

    /// A transport failure is 503, an error reply 500.
    private static func reply(_ result: Result<RedisReply, RedisError>) -> Result<RedisReply, Problem> {
        switch result {
        case .failure: return .failure(.redisUnavailable)
        case .success(let r) where r.isError: return .failure(.internalError)
        case .success(let r): return .success(r)
        }
    }

    /// An HGETALL reply as a subscription: empty or nil is 404, one that does not decode 500.
    private static func subscription(_ reply: RedisReply, settings: WebhookSettings) -> Result<WebhookSubscription, Problem> {
        guard let items = reply.array else { return .failure(.notFound) }
        var fields: [String: String] = [:]
        var i = 0
        while i + 1 < items.count {
            if let k = items[i].string, let v = items[i + 1].string { fields[k] = v }
            i += 2
        }
        guard !fields.isEmpty, fields["id"] != nil else { return .failure(.notFound) }
        guard let sub = WebhookSubscription(redisFields: fields, settings: settings) else { return .failure(.internalError) }
        return .success(sub)
    }
}

// API: the attendance batch (contract §4). When a live webinar ends (or is archived while live or
// paused), the status script enqueues the webinar in `wg:jobs:attendance`. Every node runs this runner
// on its hub loop: it picks a pending
// webinar, takes its lease (SET NX PX), and works through the webinar's leads in batches; each batch
// is ONE script that checks the lease, SSCANs from the saved cursor, sets each lead's once-mark,
// appends `client_webinar_attendance_classified` + `post_webinar_route`, and saves the cursor. A node
// that dies loses its lease after `leaseMillis`; another node resumes from the cursor, and the
// once-marks make sure no lead is classified twice. attended = the lead entered.
import Reactor
import RedisStore

/// Settings of the attendance batch.
public struct AttendanceSettings: Sendable {
    /// Leads per batch script call (SSCAN COUNT hint). `--attendance-batch-size`, default 1000.
    public var batchSize = 1000
    /// How long a runner's lease lasts without renewal, milliseconds (each batch renews it; a dead
    /// node's job is resumed by another this long after its last batch). `--attendance-lease`, default 3 s.
    public var leaseMillis = 3000
    /// A finished job's hash (`wg:{w:<id>}:attendance:job`, state `done`) is kept this long, seconds;
    /// a pending one lives `EventSettings.roomTTLSeconds` after its last batch. `--attendance-job-ttl`,
    /// default 7 days.
    public var doneJobTTLSeconds = 7 * 86_400
    /// How often an idle runner looks for pending webinars, seconds.
    public var pollSeconds = 0.5
    public init() {}
}

/// Runs attendance batches on one loop.
final class AttendanceRunner {
    let loop: EventLoop
    let connection: RedisConnection
    let settings: AttendanceSettings
    let events: EventSettings
    let environment: EventEnvironment
    /// The lease's value: unique per runner, so it is never taken from a pinned test id source.
    let token = EventID.make()
    private var busy = false
    private var stopped = false
    /// Leads classified by this node (tests and logs).
    private(set) var classifiedHere = 0

    /// KEYS: 1 job hash, 2 lease, 3 leads set, 4 entered set, 5 stream, 6 pending set. ARGV[1] JSON plan.
    /// The once-mark name is built in the script (one per lead scanned); it must stay
    /// `RoomKeys.onceMark("attendance", lead)`, the same mark an AutoWebinar session sets.
    /// Lives (from the plan): each once-mark `ttl` s; the lease `lease_ms`; the job hash `room_ttl` s
    /// after each batch while pending, `job_ttl` s once done.
    static let batch = RedisScript(name: "attendance_batch", source: """
        local p = cjson.decode(ARGV[1])
        if redis.call('GET', KEYS[2]) ~= p.token then return {-1, 0, 0} end
        redis.call('PEXPIRE', KEYS[2], p.lease_ms)
        local cursor = redis.call('HGET', KEYS[1], 'cursor') or '0'
        local res = redis.call('SSCAN', KEYS[3], cursor, 'COUNT', p.count)
        local emitted = 0
        for i, lead in ipairs(res[2]) do
          if redis.call('SET', 'wg:{w:' .. p.webinar_id .. '}:once:attendance:' .. lead, '1', 'NX', 'EX', p.ttl) then
            local attended = redis.call('SISMEMBER', KEYS[4], lead) == 1
            local base = {lead_id = lead, webinar_id = p.webinar_id, attended = attended, timestamp = p.now}
            redis.call('XADD', KEYS[5], 'MAXLEN', '~', p.maxlen, '*', 'event_id', p.id .. '-' .. i .. 'c', 'hook', 'client_webinar_attendance_classified', 'payload', cjson.encode(base), 'emitted_at', p.now)
            base.route = attended and 'attended' or 'not_attended'
            redis.call('XADD', KEYS[5], 'MAXLEN', '~', p.maxlen, '*', 'event_id', p.id .. '-' .. i .. 'r', 'hook', 'post_webinar_route', 'payload', cjson.encode(base), 'emitted_at', p.now)
            emitted = emitted + 1
          end
        end
        redis.call('HSET', KEYS[1], 'cursor', res[1])
        if res[1] == '0' then
          redis.call('HSET', KEYS[1], 'state', 'done')
          redis.call('EXPIRE', KEYS[1], p.job_ttl)
          redis.call('SREM', KEYS[6], p.webinar_id)
          redis.call('DEL', KEYS[2])
          return {1, #res[2], emitted}
        end
        redis.call('EXPIRE', KEYS[1], p.room_ttl)
        return {0, #res[2], emitted}
        """)

    init(loop: EventLoop, connection: RedisConnection, settings: AttendanceSettings, events: EventSettings,
         environment: EventEnvironment = .system) {
        self.loop = loop
        self.connection = connection
        self.settings = settings
        self.events = events
        self.environment = environment
    }

    func start() {
        loop.schedule(after: nanos(seconds: settings.pollSeconds)) { [weak self] in self?.poll() }
    }

    func stop() { stopped = true }

    private func poll() {
        guard !stopped else { return }
        defer { if !busy { start() } }
        guard !busy else { return }
        busy = true
        connection.send(RedisCommand(["SRANDMEMBER", EventKeys.attendancePending])) { [weak self] result in
            guard let self else { return }
            guard case .success(let reply) = result, let webinar = reply.string, Identifier.isValid(webinar) else {
                self.idle()
                return
            }
            let lease = RedisCommand(["SET", RoomKeys(webinar).attendanceLease, self.token, "NX", "PX", String(self.settings.leaseMillis)])
            self.connection.send(lease) { [weak self] result in
                guard let self else { return }
                guard case .success(.status) = result else { return self.idle() }
                Log.info("attendance batch started", [("webinar_id", webinar)])
                self.runBatch(webinar)
            }
        }
    }

    private func runBatch(_ webinar: String) {
        guard !stopped else { return }
        var plan = "{\"token\":\(JSONText.quoted(token)),\"lease_ms\":\(settings.leaseMillis),\"count\":\(settings.batchSize)"
        plan += ",\"room_ttl\":\(events.roomTTLSeconds),\"job_ttl\":\(settings.doneJobTTLSeconds)"
        plan += ",\"ttl\":\(events.onceMarkTTLSeconds),\"maxlen\":\(events.streamMaxLength),\"now\":\(JSONText.quoted(environment.now()))"
        plan += ",\"webinar_id\":\(JSONText.quoted(webinar)),\"id\":\(JSONText.quoted(environment.newEventID()))}"
        let room = RoomKeys(webinar)
        let keys = [room.attendanceJob, room.attendanceLease, room.leads, room.entered, EventKeys.stream, EventKeys.attendancePending]
        connection.evalScript(Self.batch, keys: keys, args: [plan]) { [weak self] result in
            guard let self else { return }
            guard case .success(let reply) = result, let f = reply.array, f.count == 3, let state = f[0].integer else {
                return self.idle()  // Redis trouble: the lease runs out and someone resumes from the cursor
            }
            self.classifiedHere += Int(f[2].integer ?? 0)
            switch state {
            case 0: self.runBatch(webinar)
            case 1:
                Log.info("attendance batch finished", [("webinar_id", webinar), ("classified_by_this_node", String(self.classifiedHere))])
                self.idle()
            default:
                Log.warning("attendance batch lease lost", [("webinar_id", webinar)])
                self.idle()
            }
        }
    }

    private func idle() {
        busy = false
        start()
    }
}

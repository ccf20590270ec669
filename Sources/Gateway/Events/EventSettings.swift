// The named settings of event emission and of the life of the Redis keys the gateway writes (issue 16
// item 6). Every key a script writes gets a bounded life from here, set or refreshed by the SAME script
// that writes it (EXPIRE / SET ... EX inside the script, never a separate round trip); the keys that stay
// by design are listed, with why, in `PermanentKeys`. docs/operations.md §10 is the operator's table.

/// Settings of event emission and key lifetimes (all `serve` flags; see `ConfigurationLoader+Events`).
public struct EventSettings: Sendable {
    /// Once-marks (`wg:{w:<id>}:once:<fact>:<subject>`, the attendance marks included) and Core event
    /// dedup marks (`wg:core:evt:<id>`) live this long after they are set, seconds: "once" holds this
    /// long. `--once-mark-ttl`, default 30 days.
    public var onceMarkTTLSeconds = 30 * 86_400
    /// A webinar's keys (room hash, session records, `leads` and `entered` sets, a pending attendance
    /// job) live this long after the last write that changed each of them, seconds; a webinar left alone
    /// this long reads as never touched. `--room-ttl`, default 30 days.
    public var roomTTLSeconds = 30 * 86_400
    /// The stored first answer to a `form_submitted` with an `Idempotency-Key` lives this long, seconds:
    /// a retry after it emits again. `--idempotency-ttl`, default 24 hours.
    public var idempotencyTTLSeconds = 86_400
    /// A Core user's AutoWebinar record (`wg:aw:{u:<user>}:<ref>`) lives this long after its last write
    /// (creation or login), seconds. `--autowebinar-ttl`, default 30 days.
    public var autoSessionTTLSeconds = 30 * 86_400
    /// Approximate MAXLEN of the `wg:events` stream, entries. `--stream-max-length`, default 1,000,000.
    public var streamMaxLength = 1_000_000
    /// Largest serialized `form_payload`, bytes. `--form-payload-max-bytes`, default 16 KiB.
    public var maxFormPayloadBytes = 16 * 1024
    public init() {}
}

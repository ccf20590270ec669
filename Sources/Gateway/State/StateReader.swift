// One Redis round trip for a poller's state: the room and its session, and — on the state route —
// the throttle's take from the same script call (`state_read_throttled`).
import RedisStore

enum StateReader {
    /// Bucket keys and ARGV for the throttled read.
    struct Throttle {
        var keys: [String]
        var args: [String]
    }

    /// Reads `webinarID` (+ `sessionID`) on `connection`; with `throttle`, the same call takes a token and
    /// its part of the reply (`allowed, remaining, retry_after_s, full_in_s`) is handed back too.
    static func read(_ connection: RedisConnection, webinarID: String, sessionID: String?, fallbackType: WebinarType,
                     throttle: Throttle? = nil,
                     _ done: @escaping (Result<(StateView, ArraySlice<RedisReply>?), RedisError>) -> Void) {
        let keys = RoomKeys(webinarID)
        let sessionKey = sessionID.map(keys.session) ?? ""
        let script = throttle == nil ? RoomScripts.read : RoomScripts.readThrottled
        let scriptKeys = throttle.map { $0.keys + [keys.room, sessionKey] } ?? [keys.room, sessionKey]
        connection.evalScript(script, keys: scriptKeys, args: throttle?.args ?? []) { result in
            switch result {
            case .failure(let e):
                done(.failure(e))
            case .success(.error(let message)):
                done(.failure(.server(message)))
            case .success(let reply):
                let parts = reply.array ?? []
                let lead = throttle == nil ? 0 : RoomScripts.throttleFieldCount
                let expected = lead + RoomScripts.roomFieldCount + (sessionID == nil ? 0 : RoomScripts.sessionFieldCount)
                guard parts.count == expected else { return done(.failure(.protocolError)) }
                let roomAt = lead, sessionAt = lead + RoomScripts.roomFieldCount
                let session = sessionID.map { SessionSnapshot(sessionID: $0, fields: parts[sessionAt...]) }
                let view = StateView(webinarID: webinarID, room: RoomSnapshot(fields: parts[roomAt...]), session: session, fallbackType: fallbackType)
                done(.success((view, throttle == nil ? nil : parts[0..<lead])))
            }
        }
    }
}

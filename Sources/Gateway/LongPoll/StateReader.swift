// One Redis round trip for a poller's state: the room and its session, via the `state_read` script.
import RedisStore

enum StateReader {
    /// Reads `webinarID` (+ `sessionID`) on `connection`; `view` carries ids and the fallback type.
    static func read(_ connection: RedisConnection, webinarID: String, sessionID: String?, fallbackType: WebinarType,
                     _ done: @escaping (Result<StateView, RedisError>) -> Void) {
        let keys = RoomKeys(webinarID)
        connection.evalScript(RoomScripts.read, keys: [keys.room, sessionID.map(keys.session) ?? ""]) { result in
            switch result {
            case .failure(let e):
                done(.failure(e))
            case .success(let reply):
                guard let parts = reply.array, parts.count == 2 else {
                    done(.failure(.protocolError))
                    return
                }
                let session = sessionID.map { SessionSnapshot(sessionID: $0, reply: parts[1]) }
                done(.success(StateView(webinarID: webinarID, room: RoomSnapshot(reply: parts[0]), session: session, fallbackType: fallbackType)))
            }
        }
    }
}

// The two things `RoomSubscriptions` needs from Redis, behind a seam so it can be driven without a
// server: where a room's wakes come from (the node's pub/sub connection, `RedisSubscriber`) and how one
// room is read (one `RoomScripts.read` on the hub loop's command connection). Tests supply fakes.
import Reactor
import RedisStore

/// Per-channel pub/sub on one loop: the node's subscriber connection, or a test's fake. Loop thread only.
protocol RoomWakeSource: AnyObject {
    /// The loop every call and callback runs on.
    var loop: EventLoop { get }
    /// Runs after a reconnect once every held channel is subscribed again.
    var onResubscribed: (() -> Void)? { get set }
    /// Subscribes to `channel`: `confirmed` once the subscription holds, `handler` with each payload.
    func subscribe(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void)
    /// Drops `channel` and its handler.
    func unsubscribe(_ channel: String)
}

extension RedisSubscriber: RoomWakeSource {}

/// Reads room `webinarID` and calls back with its snapshot, or nil if it could not be read (then
/// nothing is broadcast). Runs on the subscriptions' loop.
typealias RoomRead = (_ webinarID: String, _ done: @escaping (RoomSnapshot?) -> Void) -> Void

extension RoomSubscriptions {
    /// The production room read: one `RoomScripts.read` on `connection`, after waiting (bounded) for
    /// the connection to be up, since after an outage the subscriber can be back before it.
    static func roomReader(over connection: RedisConnection) -> RoomRead {
        { webinarID, done in
            let keys = RoomKeys(webinarID)
            connection.waitForConnection(timeoutNanos: LongPollService.resyncConnectWaitNanos) { up in
                guard up else { return done(nil) }
                connection.evalScript(RoomScripts.read, keys: [keys.room, ""]) { result in
                    guard case .success(let reply) = result, let parts = reply.array,
                          parts.count == RoomScripts.roomFieldCount else { return done(nil) }
                    done(RoomSnapshot(reply: reply))
                }
            }
        }
    }
}

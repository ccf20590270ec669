// API: the node's pub/sub, whichever the deployment mode. Two kinds of channel:
// - node-wide channels (`subscribe`): classic SUBSCRIBE; in a cluster a PUBLISH reaches every node, so
//   one connection to any node hears them;
// - slot-bound channels (`subscribeSharded`, a room's wake): in a cluster SSUBSCRIBE on the shard that
//   owns the channel's slot (scripts send them with SPUBLISH, `RedisCommandTarget.publishVerb`); on a
//   single server they are plain channels (PUBLISH/SUBSCRIBE, as before cluster mode existed).
// `onResubscribed` runs after any connection came back and every channel it carries is confirmed again
// (in a cluster also after a slot moved to another shard), so the caller re-reads what it watches.
import Reactor

/// The node's pub/sub connection(s). Loop thread only.
public protocol RedisPubSub: AnyObject {
    /// The loop every call and callback runs on.
    var loop: EventLoop { get }
    /// True while every connection it needs is up and subscribed.
    var isConnected: Bool { get }
    /// Called on the loop when it becomes usable or stops being usable.
    var onStateChange: ((RedisConnectionState) -> Void)? { get set }
    /// Called on the loop after a reconnect (or, in a cluster, a slot move) once every channel is live again.
    var onResubscribed: (() -> Void)? { get set }
    /// Starts connecting.
    func start()
    /// Closes for good.
    func close()
    /// Subscribes to node-wide `channel` (replacing its handler); `confirmed` once it holds.
    func subscribe(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void)
    /// Drops node-wide `channel`.
    func unsubscribe(_ channel: String)
    /// Subscribes to slot-bound `channel` (SSUBSCRIBE on its shard in a cluster).
    func subscribeSharded(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void)
    /// Drops slot-bound `channel`.
    func unsubscribeSharded(_ channel: String)
}

extension RedisSubscriber: RedisPubSub {
    /// A single server has no shards: a plain channel.
    public func subscribeSharded(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void) {
        subscribe(channel, confirmed: confirmed, handler: handler)
    }

    /// A single server has no shards: a plain channel.
    public func unsubscribeSharded(_ channel: String) { unsubscribe(channel) }
}

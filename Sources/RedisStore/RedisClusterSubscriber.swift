// PLACEHOLDER (issue 14, being written): the cluster's pub/sub. Replaced by the real one before merge.
import Reactor

public final class RedisClusterSubscriber: RedisPubSub {
    public let loop: EventLoop
    public var isConnected: Bool { false }
    public var onStateChange: ((RedisConnectionState) -> Void)?
    public var onResubscribed: (() -> Void)?
    public init(address: RedisClusterAddress, loop: EventLoop, configuration: RedisClusterConfiguration) { self.loop = loop }
    public func start() {}
    public func close() {}
    public func subscribe(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void) {}
    public func unsubscribe(_ channel: String) {}
    public func subscribeSharded(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void) {}
    public func unsubscribeSharded(_ channel: String) {}
}

// `RedisClusterClient` as the node's Redis (`RedisBackend`).
import Reactor

extension RedisClusterClient: RedisBackend {
    public var description: String { address.description }
    public var isCluster: Bool { true }

    public func commands(on loop: EventLoop) -> any RedisCommandTarget { connection(on: loop) }

    public func makeConnection(on loop: EventLoop) -> any RedisCommandTarget {
        RedisClusterConnection(address: address, loop: loop, configuration: configuration)
    }

    public func makeSubscriber(on loop: EventLoop) -> any RedisPubSub {
        RedisClusterSubscriber(address: address, loop: loop, configuration: configuration)
    }
}

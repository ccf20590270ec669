/// Readiness events a handler asks for and receives.
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let readable = IOEvents(rawValue: 1)
    public static let writable = IOEvents(rawValue: 2)
    /// The peer shut down its writing side (EPOLLRDHUP): a parked long-poll client has gone.
    public static let readHangup = IOEvents(rawValue: 4)
    /// Both directions are gone (EPOLLHUP); always reported.
    public static let hangup = IOEvents(rawValue: 8)
    /// A socket error is pending (EPOLLERR); always reported.
    public static let error = IOEvents(rawValue: 16)
}

/// Something registered on a loop that reacts to readiness of its fd. Called on the loop thread only.
public protocol IOHandler: AnyObject {
    /// Called with the events epoll reported for this handler's fd.
    func handleIO(_ events: IOEvents)
}

/// A registration of one fd on one loop. The generation makes events for a closed-and-reused fd
/// that are still in the current `epoll_wait` batch miss the new owner.
public struct Registration: Sendable, Equatable {
    public let fd: Int32
    let generation: UInt32

    var epollData: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd)) }
}

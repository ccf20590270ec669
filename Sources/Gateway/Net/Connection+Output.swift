// Writing, interest bookkeeping, deadlines and closing for `Connection`.
import HTTP1
import Reactor

extension Connection {
    /// Writes queued output until done or the socket would block.
    func flush() {
        while outputStart < output.count {
            let start = outputStart
            let result: IOResult<Int>
            do {
                result = try output.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> in
                    try Socket.write(fd, UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            } catch {
                close()
                return
            }
            guard case .processed(let n) = result else { break }
            outputStart += n
        }
        if outputStart == output.count {
            if output.capacity > 64 * 1024 { output = [] } else { output.removeAll(keepingCapacity: true) }
            outputStart = 0
            if closeAfterWrite {
                close()
                return
            }
        }
        updateInterest()
    }

    /// Re-arms epoll for what the connection wants now.
    func updateInterest() {
        guard let reg = registration else { return }
        var want: IOEvents = []
        let pendingOut = output.count - outputStart
        if pendingOut > 0 { want.insert(.writable) }
        if !peerClosed {
            want.insert(.readHangup)
            let buffered = input.count - inputStart
            let blocked = pendingOut > context.configuration.maxQueuedResponseBytes
                || buffered >= context.configuration.maxBufferedRequestBytes
            if !blocked { want.insert(.readable) }
        }
        if want != interest {
            interest = want
            do { try context.loop.reregister(reg, interest: want) } catch { close() }
        }
    }

    /// Sets the connection's single deadline; one lazy timer serves it.
    func armDeadline(_ kind: DeadlineKind, seconds: Double) {
        deadlineKind = kind
        deadline = context.loop.now &+ nanos(seconds: seconds)
        if let t = timer, t.isPending, t.deadline <= deadline { return }
        timer?.cancel()
        scheduleTimer()
    }

    private func scheduleTimer() {
        // Strong capture on purpose: close() cancels the timer (releasing this closure) and a fired timer
        // drops it, so there is no lasting cycle; a weak capture would give every Connection a side table
        // and the slow reference-counting path on every retain/release (seen on the fan-out profile).
        timer = context.loop.schedule(at: deadline) { [self] in self.deadlineFired() }
    }

    private func deadlineFired() {
        timer = nil
        if case .closed = state { return }
        switch deadlineKind {
        case .none:
            return
        case .request, .idle:
            if context.loop.clock.nowNanos() < deadline {
                scheduleTimer()
                return
            }
        }
        let kind = deadlineKind
        deadlineKind = .none
        switch (kind, state) {
        case (.request, .readingHead) where inputStart == input.count && sequence == 0:
            close()  // never sent a byte
        case (.request, .readingHead), (.request, .readingBody):
            sequence &+= 1
            state = .awaiting(sequence)
            currentIsHead = false
            currentKeepAlive = false
            currentRoute = "timeout"
            currentSlot = nil
            currentStart = context.loop.now
            respond(sequence: sequence, Problem.requestTimeout.response)
        case (.idle, .readingHead) where inputStart == input.count:
            close()
        default:
            break
        }
    }

    /// Closes the socket, runs a pending cancel handler, forgets the connection.
    func close() {
        if case .closed = state { return }
        state = .closed
        timer?.cancel()
        timer = nil
        if let reg = registration { context.loop.deregister(reg) }
        registration = nil
        Socket.close(fd)
        context.connections.removeValue(forKey: ObjectIdentifier(self))
        context.state.openConnections.subtract(1, ordering: .relaxed)
        input = []
        output = []
        if let cancel = cancelHandler {
            cancelHandler = nil
            cancel()
        }
    }
}

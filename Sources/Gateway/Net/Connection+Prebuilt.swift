// The fan-out answer of `Connection`: a 200 assembled from pieces that are already bytes (all
// server-generated: the wake's shared head and room body prefix, the poll's own ETag part, header lines
// and session tail) with memory copies into the loop's scratch buffer and sent from there: no header
// array, no encoder pass, no per-answer allocation. Only bytes the socket does not take at once are
// copied into the connection's output buffer (or all of them when output is already queued). An answer
// larger than the scratch buffer is assembled by the same code straight into the output buffer.
import Reactor

extension Connection {
    func respondPrebuilt(sequence seq: UInt64, _ answer: PrebuiltAnswer, _ poll: PollBytes) {
        guard isAwaiting(sequence: seq) else { return }
        let close = closesAfter(false)
        record(200)
        var scratch = context.scratch
        scratch.reset()
        assemble(answer, poll, close: close, into: &scratch)
        if scratch.overflowed {
            assemble(answer, poll, close: close, into: &output)  // same bytes, queued
        } else {
            sendScratch(scratch)
            if case .closed = state { return }  // the send failed: the peer is gone
        }
        finishAnswer(close: close)
    }

    /// Writes the answer's bytes, in order, into `sink`.
    private func assemble<Sink: AnswerBytesSink>(_ answer: PrebuiltAnswer, _ poll: PollBytes, close: Bool, into sink: inout Sink) {
        sink.put(PrebuiltAnswer.statusAndDateName)
        sink.put(context.dateHeaderValue)
        sink.put(answer.afterDate)
        poll.bytes.withUnsafeBytes { p in
            sink.put(UnsafeRawBufferPointer(rebasing: p[0..<poll.tagEnd]))
            sink.put(answer.etagTail)
            sink.put(UnsafeRawBufferPointer(rebasing: p[poll.tagEnd..<poll.linesEnd]))
            if let origin = currentOrigin {
                for (name, value) in context.cors.headers(for: origin) {
                    sink.put(name)
                    sink.put(": ")
                    sink.put(value)
                    sink.put("\r\n")
                }
            }
            sink.put("Content-Length: ")
            sink.putDecimal(answer.bodyPrefix.count + poll.tailCount)
            sink.put(close ? "\r\nConnection: close\r\n\r\n" : (currentIsHTTP10 ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\n\r\n"))
            if !currentIsHead {
                sink.put(answer.bodyPrefix)
                sink.put(UnsafeRawBufferPointer(rebasing: p[poll.linesEnd...]))
            }
        }
    }

    /// Sends the assembled answer when nothing else is queued; whatever the socket does not take now
    /// is queued in `output` for EPOLLOUT.
    private func sendScratch(_ s: AnswerScratch) {
        let bytes = s.written
        var sent = 0
        if outputStart == output.count {
            do {
                if case .processed(let n) = try Socket.write(fd, bytes) { sent = n }
            } catch {
                close()
                return
            }
        }
        if sent < bytes.count {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[sent...]))
        }
    }
}

// Client groups: the clients of a run live in one or more groups, each driven by one line-based
// command protocol, so the orchestrator is the same whether the clients run in this process or in
// worker processes (needed above ~18,000 connections: the fd limit is 20,000 per process).
//
//   start            → ok                 open the connections (fanout: connect, fetch, park)
//   status           → status ANSWERED OK200 OTHER FAILED SETTLED
//   round            → ok                 reset the per-round answer counters and times
//   times            → times NS NS ...    CLOCK_MONOTONIC answer times of this round (system-wide clock)
//   repark           → ok                 every answered client polls again with its new validators
//   rate SECONDS     → rate REQUESTS S200 S304 OTHER ERRORS ELAPSED_NS HISTOGRAM
//   quit                                  close everything and exit (a worker also exits on stdin EOF)
import Foundation
import Glibc
import Reactor

/// The clients of one group, on their loop thread.
protocol ClientSet: AnyObject, Sendable {
    /// Runs one command on the loop thread; calls `reply` exactly once (possibly later).
    func handle(_ words: [Substring], reply: @escaping (String) -> Void)
    /// Closes every connection (loop thread).
    func closeAll()
}

protocol ClientGroup: AnyObject, Sendable {
    /// Sends one command and waits for its one-line reply.
    func command(_ line: String) -> String
    /// Closes everything.
    func shutdown()
}

final class ResultBox<T>: @unchecked Sendable {
    // @unchecked: written once before the semaphore is signalled, read after the wait.
    var value: T?
}

/// Clients on an event loop of this process.
final class LocalGroup: ClientGroup, @unchecked Sendable {
    let loop: EventLoop
    let clients: ClientSet
    private let thread: Thread
    private let finished = DispatchSemaphore(value: 0)

    init(options: BenchOptions) throws {
        let loop = try EventLoop(index: 0)
        self.loop = loop
        clients = options.mode == "rate" ? RateRun(options: options, loop: loop) : FanoutRun(options: options, loop: loop)
        let done = finished
        thread = Thread {
            loop.run()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func command(_ line: String) -> String {
        let box = ResultBox<String>()
        let sem = DispatchSemaphore(value: 0)
        let clients = self.clients
        loop.execute {
            clients.handle(line.split(separator: " ")) { r in
                box.value = r
                sem.signal()
            }
        }
        sem.wait()
        return box.value ?? "error"
    }

    func shutdown() {
        let clients = self.clients
        let loop = self.loop
        loop.execute {
            clients.closeAll()
            loop.stop()
        }
        finished.wait()
    }
}

/// Clients in a worker process (this executable, `worker` mode), over its stdin/stdout.
final class RemoteGroup: ClientGroup, @unchecked Sendable {
    // @unchecked: each group is used by one orchestrator call at a time.
    let process: Process
    private let toChild: Int32
    private let reader: LineReader

    init(arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: selfExecutable())
        p.arguments = arguments
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        process = p
        toChild = input.fileHandleForWriting.fileDescriptor
        reader = LineReader(fd: output.fileHandleForReading.fileDescriptor)
        // Keep the FileHandles alive with the process object (Pipe owns them).
        self.pipes = (input, output)
    }
    private let pipes: (Pipe, Pipe)

    func command(_ line: String) -> String {
        let bytes = Array((line + "\n").utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(toChild, $0.baseAddress, $0.count) }
            if n <= 0 { return "error worker gone" }
            off += n
        }
        return reader.readLine() ?? "error worker gone"
    }

    func shutdown() {
        _ = command("quit")
        process.waitUntilExit()
    }
}

/// Blocking line reader on a file descriptor.
final class LineReader: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(fd: Int32) { self.fd = fd }

    func readLine() -> String? {
        var scanFrom = 0
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: 10) {
                let line = String(decoding: buffer[0..<nl], as: UTF8.self)
                buffer.removeFirst(nl + 1)
                return line
            }
            scanFrom = buffer.count
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return nil
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}

func selfExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// A worker process: one LocalGroup driven by commands on stdin, replies on stdout.
func runWorker(_ options: BenchOptions) -> Never {
    signal(SIGPIPE, SIG_IGN)
    let group: LocalGroup
    do { group = try LocalGroup(options: options) } catch { die("worker: cannot create a loop: \(error)") }
    let input = LineReader(fd: 0)
    while let line = input.readLine() {
        if line == "quit" { break }
        let reply = group.command(line)
        let bytes = Array((reply + "\n").utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if n <= 0 { exit(1) }
            off += n
        }
    }
    group.shutdown()
    exit(0)
}

/// Runs `body` for every group at once (one thread each) and returns the results in order.
func forAll<T>(_ groups: [ClientGroup], _ body: @escaping @Sendable (ClientGroup) -> T) -> [T] {
    if groups.count == 1 { return [body(groups[0])] }
    let boxes = groups.map { _ in ResultBox<T>() }
    let all = DispatchGroup()
    for (g, box) in zip(groups, boxes) {
        let task = SendableTask { box.value = body(g) }
        all.enter()
        Thread { task.run(); all.leave() }.start()
    }
    all.wait()
    return boxes.map { $0.value! }
}

struct SendableTask: @unchecked Sendable {
    let run: () -> Void
}

// One loop running one HTTPClient, for the tests: requests are started on the loop through
// `LoopBound.execute`, and the test thread waits for the answers with `eventually`.
import GatewayTestSupport
import HTTPClient
import Reactor
import Synchronization

/// The answers of the requests a test started, in completion order.
final class Answers: Sendable {
    private let list = Mutex<[Result<ClientResponse, ClientError>]>([])
    func add(_ result: Result<ClientResponse, ClientError>) { list.withLock { $0.append(result) } }
    var all: [Result<ClientResponse, ClientError>] { list.withLock { $0 } }
}

/// A started loop and its client; `stop()` closes the client and the loop.
final class ClientHarness {
    /// How long one test waits for answers, in seconds.
    static let answerSeconds = 15.0

    let group: EventLoopGroup
    let client: LoopBound<HTTPClient>

    init(_ configuration: HTTPClientConfiguration) throws {
        group = try EventLoopGroup(count: 1)
        client = LoopBound(try HTTPClient(loop: group.loops[0], configuration: configuration), loop: group.loops[0])
        group.start()
    }

    /// Starts `requests` at once on the loop and waits until each is answered.
    func run(_ requests: [ClientRequest]) -> [Result<ClientResponse, ClientError>] {
        let answers = Answers()
        client.execute { client in
            for request in requests { client.execute(request) { answers.add($0) } }
        }
        _ = eventually(seconds: Self.answerSeconds) { answers.all.count == requests.count }
        return answers.all
    }

    /// Runs one request and waits for its answer.
    func run(_ request: ClientRequest) -> Result<ClientResponse, ClientError>? {
        run([request]).first
    }

    /// The client's open connections to `origin`, read on the loop.
    func openConnections(to origin: ClientOrigin) -> Int? {
        let count = Mutex<Int?>(nil)
        client.execute { client in
            let n = client.openConnections(to: origin)
            count.withLock { $0 = n }
        }
        _ = eventually(seconds: Self.answerSeconds) { count.withLock { $0 } != nil }
        return count.withLock { $0 }
    }

    func stop() {
        let closed = Mutex(false)
        client.execute { client in
            client.close()
            closed.withLock { $0 = true }
        }
        _ = eventually(seconds: Self.answerSeconds) { closed.withLock { $0 } }
        group.stopAndWait()
    }
}

// The production `WebhookTransport`: one POST through the loop's HTTP/1.1 client (keep-alive pools,
// deadlines, TLS with the chain and host name checked, redirects never followed). Without
// `--webhook-allow-private` the client refuses resolved addresses that are not public, so a name that
// points inside the operator's network is a recorded failure, never a request; a plain `http` URL
// (stored while some node allowed it) is refused the same way, before any connection.
import HTTP1
import HTTPClient
import Reactor
import TLS

/// Sends webhook attempts with `HTTPClient` (runner loop only).
final class HTTPClientWebhookTransport: WebhookTransport {
    let client: HTTPClient
    /// `--webhook-allow-private`: plain `http` targets may be sent to.
    let allowPlainHTTP: Bool

    init(client: HTTPClient, allowPlainHTTP: Bool) {
        self.client = client
        self.allowPlainHTTP = allowPlainHTTP
    }

    /// A client for webhook delivery with `configuration`'s timeout, trust and address policy.
    /// - Throws: `ClientError` when the TLS context cannot be made (e.g. an unreadable CA file).
    static func makeClient(on loop: EventLoop, _ configuration: WebhookNodeConfiguration) throws(ClientError) -> HTTPClient {
        let timeout = nanos(seconds: configuration.timeoutSeconds)
        let publicOnly: AddressFilter = { @Sendable address in WebhookAddressPolicy.isPublic(address) }
        let filter: AddressFilter? = configuration.allowPrivate ? nil : publicOnly
        let settings = HTTPClientConfiguration(connectTimeoutNanos: min(timeout, 5_000_000_000), requestTimeoutNanos: timeout,
                                               maxConnectionsPerOrigin: configuration.concurrencyPerSubscription,
                                               tls: TLSConfiguration(caFile: configuration.caFile), addressFilter: filter)
        return try HTTPClient(loop: loop, configuration: settings)
    }

    func post(_ url: WebhookURL, headers: [(String, String)], body: [UInt8], _ done: @escaping (WebhookSchedule.Outcome) -> Void) {
        guard url.isHTTPS || allowPlainHTTP else {
            return done(.failure("plain http refused: https is required without --webhook-allow-private"))
        }
        let origin = ClientOrigin(scheme: url.isHTTPS ? .https : .http, host: url.host, port: UInt16(clamping: url.port))
        client.execute(ClientRequest(origin: origin, target: url.target, method: .post, headers: headers, body: body)) { result in
            switch result {
            case .success(let response): done(.response(status: response.status, retryAfter: response.headers.first("retry-after")))
            case .failure(let error): done(.failure(error.description))
            }
        }
    }
}

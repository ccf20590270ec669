// A subscription's target URL (contract §5): absolute `http`/`https` with a host, no userinfo, no
// fragment, port 1-65535, printable ASCII only, at most `urlMaxBytes`. Without `allowPrivate` it must be
// `https` and its host must not be a loopback name or a non-public IP literal (names are checked again
// after resolution by the client). Parsed once here into what the client needs: scheme, host, port and
// request target. Every refusal is a 422 naming `url`.

/// A validated webhook target.
public struct WebhookURL: Sendable, Equatable {
    /// `http` or `https`.
    public let isHTTPS: Bool
    /// Lower-cased host name or IP literal (IPv6 without brackets).
    public let host: String
    /// Explicit port, or 443/80 by scheme.
    public let port: Int
    /// Path and query for the request line; `/` when the URL has none.
    public let target: String
    /// The URL as given (scheme and host lower-cased).
    public let text: String
    /// The host's address when it is an IP literal (4 or 16 bytes).
    public let literalAddress: [UInt8]?

    /// Validates a subscription URL.
    /// - Parameters:
    ///   - raw: the `url` field.
    ///   - allowPrivate: `--webhook-allow-private` (plain http and private targets allowed).
    ///   - settings: the length limit.
    /// - Returns: the URL, or a 422 naming `url` with the broken rule.
    public static func parse(_ raw: String, allowPrivate: Bool, settings: WebhookSettings = WebhookSettings()) -> Result<WebhookURL, Problem> {
        func fail(_ rule: String) -> Result<WebhookURL, Problem> { .failure(.invalidField("url", rule)) }
        let bytes = Array(raw.utf8)
        guard !bytes.isEmpty, bytes.count <= settings.urlMaxBytes else { return fail("expected an absolute http(s) URL of at most \(settings.urlMaxBytes) bytes") }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return fail("only printable ASCII (percent-encode the rest, punycode for host names)") }
        guard !bytes.contains(UInt8(ascii: "#")) else { return fail("a fragment is not allowed") }
        guard let sep = raw.range(of: "://") else { return fail("expected an absolute URL starting with https:// or http://") }
        let scheme = raw[..<sep.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return fail("the scheme must be https or http") }
        let isHTTPS = scheme == "https"
        guard isHTTPS || allowPrivate else { return fail("must be https (plain http needs --webhook-allow-private)") }
        let rest = raw[sep.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { return fail("user information (user:password@) is not allowed") }
        guard case .success(let (host, portText)) = splitHostPort(authority) else { return fail("malformed host or port") }
        guard !host.isEmpty else { return fail("a host is required") }
        var port = isHTTPS ? 443 : 80
        if let p = portText {
            guard !p.isEmpty, p.count <= 5, p.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(p), (1...65_535).contains(v) else {
                return fail("the port must be 1-65535")
            }
            port = v
        }
        let address = WebhookAddressPolicy.literalAddress(host)
        if address == nil {
            guard isHostName(host) else { return fail("the host must be a DNS name or an IP address") }
        }
        if !allowPrivate {
            if let a = address, !WebhookAddressPolicy.isPublic(a) { return fail("private, loopback and link-local addresses need --webhook-allow-private") }
            if WebhookAddressPolicy.isLoopbackName(host) { return fail("loopback names need --webhook-allow-private") }
        }
        let shownHost = address?.count == 16 ? "[" + host + "]" : host
        let shownPort = portText.map { ":" + $0 } ?? ""
        let text = scheme + "://" + shownHost + shownPort + String(rest[authorityEnd...])
        return .success(WebhookURL(isHTTPS: isHTTPS, host: host, port: port, target: target, text: text, literalAddress: address))
    }

    /// Splits `host[:port]` or `[v6][:port]`; the host lower-cased, the port text as given.
    private static func splitHostPort(_ authority: Substring) -> Result<(String, String?), Problem> {
        let bad = Result<(String, String?), Problem>.failure(.invalidField("url", "malformed host"))
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return bad }
            let host = String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
            guard WebhookAddressPolicy.literalAddress(host)?.count == 16 else { return bad }
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return .success((host, nil)) }
            guard after.hasPrefix(":") else { return bad }
            return .success((host, String(after.dropFirst())))
        }
        guard let colon = authority.lastIndex(of: ":") else { return .success((authority.lowercased(), nil)) }
        return .success((authority[..<colon].lowercased(), String(authority[authority.index(after: colon)...])))
    }

    /// A DNS name: dot-separated labels of 1-63 letters, digits, `-` or `_`, at most 253 bytes (one
    /// trailing dot allowed); all-numeric dotted text that is not a valid IPv4 address is refused.
    private static func isHostName(_ host: String) -> Bool {
        let bare = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        guard !bare.isEmpty, bare.utf8.count <= 253 else { return false }
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        if labels.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-") &&
                label.utf8.allSatisfy { b in
                    (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
                }
        }
    }
}

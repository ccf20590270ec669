// The pool key of the HTTP client: scheme, host (lowercased, no IPv6 brackets) and port.

/// Where requests go: the keep-alive pool key (RFC 6454 origin: scheme + host + port).
public struct ClientOrigin: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`.
    public enum Scheme: String, Hashable, Sendable {
        case http, https
        /// 80 or 443.
        public var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    /// The scheme.
    public let scheme: Scheme
    /// The host name or IP literal, lowercased, without brackets.
    public let host: String
    /// The TCP port.
    public let port: UInt16

    /// - Parameters:
    ///   - scheme: http or https.
    ///   - host: a host name or IP literal (`[::1]` brackets are removed).
    ///   - port: the port, or nil for the scheme's default.
    public init(scheme: Scheme, host: String, port: UInt16? = nil) {
        self.scheme = scheme
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        self.host = h
        self.port = port ?? scheme.defaultPort
    }

    /// The Host field value: the port is left out when it is the scheme's default.
    var hostField: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? h : "\(h):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(hostField)" }
}

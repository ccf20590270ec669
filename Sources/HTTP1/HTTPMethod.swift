/// A request method. Methods are case-sensitive tokens (RFC 9110 §9.1): `get` is `.other("get")`.
public enum HTTPMethod: Equatable, Hashable, Sendable {
    /// A standard method (RFC 9110 §9.3, RFC 5789), matched byte for byte without building a String.
    case get, head, post, put, delete, options, patch
    /// Any other token; the parser has already checked it is made of tchar bytes.
    case other(String)

    /// The method as it appears on the request line.
    public var rawValue: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other(let name): name
        }
    }

    /// Maps the token bytes `base[start..<end]` to a method without building a String for the
    /// standard ones. The bytes must already be validated as tchar.
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> HTTPMethod {
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            literal.withUTF8Buffer { lit in
                guard end &- start == lit.count else { return false }
                for i in 0..<lit.count where ByteScan.byte(base, start &+ i) != lit[i] { return false }
                return true
            }
        }
        switch end &- start {
        case 3:
            if matches("GET") { return .get }
            if matches("PUT") { return .put }
        case 4:
            if matches("HEAD") { return .head }
            if matches("POST") { return .post }
        case 5:
            if matches("PATCH") { return .patch }
        case 6:
            if matches("DELETE") { return .delete }
        case 7:
            if matches("OPTIONS") { return .options }
        default:
            break
        }
        let bytes = UnsafeRawBufferPointer(start: base + start, count: end &- start)
        return .other(String(decoding: bytes, as: UTF8.self))
    }
}

// Strict JSON request bodies for hooks and facts: one object, typed field accessors that produce a
// 422 naming the field, and the `context` rule (an optional object of at most 4 KiB serialized).
import HTTPServer

/// A parsed JSON object body.
struct JSONBody {
    let fields: [String: ClaimValue]
    /// The exact bytes of each top-level member's value.
    let rawFields: [String: ArraySlice<UInt8>]
    /// Largest serialized `context` accepted, bytes (contract §1).
    static let maxContextBytes = 4096

    /// Parses `bytes` as exactly one JSON object.
    static func parse(_ request: Request) -> Result<JSONBody, Problem> {
        if let ct = request.head.headers.first("content-type"), !isJSON(ct) {
            return .failure(Problem(status: 415, slug: "unsupported-media-type", title: "The body must be application/json"))
        }
        guard let parsed = JWTJSONParser.parseObjectKeepingRaw(request.body) else {
            return .failure(.invalidField("body", "must be one JSON object"))
        }
        return .success(JSONBody(fields: parsed.members, rawFields: parsed.raw))
    }

    /// `application/json`, optionally with parameters (`; charset=utf-8`), case-insensitive (RFC 9110 §8.3.1).
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
        return media == "application/json"
    }

    /// A required identifier field.
    func identifier(_ name: String) -> Result<String, Problem> {
        guard let v = fields[name]?.stringValue, Identifier.isValid(v) else {
            return .failure(.invalidField(name, "required string of 1-128 characters of [A-Za-z0-9._:-]"))
        }
        return .success(v)
    }

    /// A required string from a closed set.
    func oneOf(_ name: String, _ allowed: [String]) -> Result<String, Problem> {
        guard let v = fields[name]?.stringValue, allowed.contains(v) else {
            return .failure(.invalidField(name, "required, one of " + allowed.joined(separator: ", ")))
        }
        return .success(v)
    }

    /// A required boolean.
    func bool(_ name: String) -> Result<Bool, Problem> {
        guard case .bool(let b)? = fields[name] else { return .failure(.invalidField(name, "required boolean")) }
        return .success(b)
    }

    /// The optional `context` object, serialized (nil when absent or null).
    func context() -> Result<String?, Problem> {
        guard let c = fields["context"], c != .null else { return .success(nil) }
        guard case .object = c else { return .failure(.invalidField("context", "must be a JSON object")) }
        let text = JSONValueWriter.write(c)
        guard text.utf8.count <= Self.maxContextBytes else {
            return .failure(.invalidField("context", "must be at most \(Self.maxContextBytes) bytes serialized"))
        }
        return .success(text)
    }
}

/// Serializes a parsed JSON value back to compact text (keys sorted, for stable logs and events).
enum JSONValueWriter {
    static func write(_ v: ClaimValue) -> String {
        switch v {
        case .string(let s): return JSONText.quoted(s)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a): return "[" + a.map(write).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { JSONText.quoted($0) + ":" + write(o[$0] ?? .null) }.joined(separator: ",") + "}"
        }
    }
}

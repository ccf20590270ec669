// How long a state request may be held: `?wait=N` or `Prefer: wait=N` (RFC 7240 §4.3), seconds,
// capped by configuration. A malformed or negative value is a 400 naming `wait`.
import HTTPServer

struct WaitRequest {
    /// Seconds to hold (0 = answer now), already capped.
    var seconds: Double
    /// The applied value to echo in `Preference-Applied`, when the wait came from `Prefer`.
    var preferenceApplied: String?

    static func parse(_ request: Request, cap: Double) -> Result<WaitRequest, Problem> {
        if let q = request.query("wait") {
            guard let v = Double(q), v.isFinite, v >= 0 else {
                return .failure(.invalidParameter("wait", "must be a number of seconds, 0 or more"))
            }
            return .success(WaitRequest(seconds: min(v, cap), preferenceApplied: nil))
        }
        for prefer in request.head.headers.values("prefer") {
            for pref in prefer.split(separator: ",") {
                let p = pref.trimmingSpaces
                guard p.lowercased().hasPrefix("wait=") else { continue }
                guard let v = Double(p.dropFirst(5)), v.isFinite, v >= 0 else {
                    return .failure(.invalidParameter("wait", "Prefer: wait must be a number of seconds, 0 or more"))
                }
                let applied = min(v, cap)
                // Whole seconds, or milliseconds precision: never an exponent form like 1e-05.
                let millis = (applied * 1000).rounded()
                let text = millis.truncatingRemainder(dividingBy: 1000) == 0 ? String(Int(millis / 1000)) : String(Double(Int(millis)) / 1000)
                return .success(WaitRequest(seconds: applied, preferenceApplied: text))
            }
        }
        return .success(WaitRequest(seconds: 0, preferenceApplied: nil))
    }
}

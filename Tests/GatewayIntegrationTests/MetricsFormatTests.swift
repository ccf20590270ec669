// /metrics of a real node, checked against the Prometheus text exposition rules (format 0.0.4): every
// sample belongs to a family declared by HELP/TYPE before it, names and labels are well formed,
// values parse, histogram buckets are cumulative and end with +Inf equal to _count.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer
import RedisStore

@Suite struct MetricsFormatTests {
    @Test func metricsFollowTheTextFormat() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = ServerConfiguration()
        config.listen = .init(host: "127.0.0.1", port: 0)
        config.threads = 2
        config.jwtKeys = ["k1": "secret"]
        config.stateDir = dir
        let node = try GatewayNode.start(config)
        #expect(eventually { node.isReady })
        // Some traffic so the families have samples: health, a 404, a state read, a 401.
        let token = JWTSigner.sign(Claims(sub: "m1", role: .attendee, exp: Int64(Date().timeIntervalSince1970) + 600), kid: "k1", secret: "secret")
        let c = try TestClient(port: node.server.port)
        for req in ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /v1/webinars/w1/state HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n",
                    "GET /v1/webinars/w1/state HTTP/1.1\r\nHost: x\r\n\r\n"] {
            c.send(req)
            _ = try c.readResponse()
        }
        c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let problems = PrometheusText.validate(r.text)
        #expect(problems.isEmpty, "\(problems)")
        #expect(r.text.contains("gateway_http_requests_total{route=\"state\",code=\"200\"} 1"))
        #expect(r.text.contains("gateway_http_requests_total{route=\"state\",code=\"401\"} 1"))
        #expect(r.text.contains("gateway_http_requests_total{route=\"unmatched\",code=\"404\"} 1"))
        #expect(r.text.contains("gateway_redis_up 1"))
        #expect(r.text.contains("gateway_redis_command_duration_seconds_count "))
        await node.shutdown()
    }
}

/// A small checker of the Prometheus text format (enough to catch what a scraper would reject).
enum PrometheusText {
    static func validate(_ text: String) -> [String] {
        var problems: [String] = []
        var types: [String: String] = [:]
        var buckets: [String: [(Double, Double)]] = [:]
        var counts: [String: Double] = [:]
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
        let sample = try? NSRegularExpression(pattern: "^(\(name))(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.eE+-]+|\\+Inf|NaN)$")
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let p = line.split(separator: " ")
                guard p.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(p[3]) else { problems.append("bad TYPE: \(line)"); continue }
                if types[String(p[2])] != nil { problems.append("TYPE twice: \(line)") }
                types[String(p[2])] = String(p[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let range = NSRange(line.startIndex..., in: line)
            guard let m = sample?.firstMatch(in: line, range: range), let nr = Range(m.range(at: 1), in: line) else {
                problems.append("bad sample: \(line)")
                continue
            }
            let metric = String(line[nr])
            let family = ["_bucket", "_sum", "_count"].reduce(metric) { f, suffix in
                f.hasSuffix(suffix) && types[String(f.dropLast(suffix.count))] == "histogram" ? String(f.dropLast(suffix.count)) : f
            }
            if types[family] == nil { problems.append("sample before its TYPE: \(line)") }
            guard let value = Double(line.split(separator: " ").last.map(String.init)?.replacingOccurrences(of: "+Inf", with: "inf") ?? "") else {
                problems.append("bad value: \(line)")
                continue
            }
            if metric.hasSuffix("_bucket"), let le = line.range(of: "le=\"") {
                let rest = line[le.upperBound...]
                let bound = rest.prefix { $0 != "\"" }
                let labels = line.replacingOccurrences(of: "le=\"\(bound)\"", with: "").replacingOccurrences(of: ",}", with: "}")
                let key = labels.split(separator: " ").first.map(String.init) ?? ""
                buckets[key, default: []].append((bound == "+Inf" ? .infinity : Double(bound) ?? .nan, value))
            }
            if metric.hasSuffix("_count") { counts[line.split(separator: " ").first.map(String.init) ?? ""] = value }
        }
        for (key, list) in buckets {
            for i in 1..<list.count where list[i].0 <= list[i - 1].0 || list[i].1 < list[i - 1].1 {
                problems.append("buckets not increasing/cumulative: \(key)")
            }
            if list.last?.0 != .infinity { problems.append("no +Inf bucket: \(key)") }
            let countKey = key.replacingOccurrences(of: "_bucket", with: "_count").replacingOccurrences(of: "{}", with: "")
            if let c = counts[countKey], c != list.last?.1 { problems.append("+Inf != _count: \(key)") }
        }
        return problems
    }
}

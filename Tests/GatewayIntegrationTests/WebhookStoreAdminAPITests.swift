// AdminWebhooksHandler over real sockets: an HTTPServer whose router holds only the webhook admin
// routes, wired to a real redis-server. Status codes and JSON shapes of contract §5; a bad request
// (not JSON, a bad field, a wrong role) answers 4xx and changes nothing.
import Foundation
import GatewayTestSupport
import HTTPServer
import Reactor
import RedisStore
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookStoreAdminAPITests {
    /// The queue tests' lab (redis-server, a started loop, a connected client) plus an HTTP server on that loop.
    final class Lab: @unchecked Sendable {
        // @unchecked: used from the test's task only.
        let base: WebhookQueueTests.Lab
        let server: HTTPServer
        var client: RedisClient { base.client }

        init() async throws {
            var made: HTTPServer?
            base = try await WebhookQueueTests.Lab.start { group, client in
                var config = ServerConfiguration()
                config.listen = Socket.Address(host: "127.0.0.1", port: 0)
                config.threads = 1
                let auth = Authorization(verifier: JWTVerifier(keys: try JWTKeySet([RoomAuth.kid: RoomAuth.secret])))
                var router = Router()
                NodeRoutes.addWebhookAdmin(to: &router, auth: auth, redis: client, webhook: WebhookNodeConfiguration())
                let stats = NodeStats(loops: group.loops)
                let cors = CORSPolicy(origins: config.corsOrigins)
                let app = config
                let server = HTTPServer(configuration: config.httpServer, group: group, state: ServerState()) { [router] loop in
                    GatewayApplication(router: router, cors: cors, stats: stats.on(loop.index), clock: loop.clock,
                                       accessLog: app.accessLog, trustedProxies: app.trustedProxies)
                }
                try server.start()
                made = server
            }
            guard let made else { throw HarnessError.notReady }
            server = made
        }

        static func start() async throws -> Lab { try await Lab() }

        /// The client closes on the running loop, then the server stops the loops, then Redis goes.
        func stop() async {
            await base.client.close()
            server.stopNow()
            base.redis.stop()
            try? FileManager.default.removeItem(atPath: base.dir)
        }

        func call(_ method: String, _ path: String, body: String? = nil, token: String = RoomAuth.system,
                  contentType: String = "application/json") throws -> TestResponse {
            var headers = [("Authorization", "Bearer \(token)")]
            if body != nil { headers.append(("Content-Type", contentType)) }
            return try RoomHTTP.send(server.port, method: method, "/v1/admin/webhooks" + path, headers: headers, body: body)
        }

        func json(_ r: TestResponse) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(r.text.utf8))) as? [String: Any] ?? [:]
        }

        func keys() async throws -> [String] {
            (try await client.command(["KEYS", "wg:webhooks:*"]).array ?? []).compactMap(\.string).sorted()
        }
    }

    static let create = "{\"url\":\"https://example.com/h\",\"events\":[\"client_webinar_entered\"],\"description\":\"crm\"}"

    @Test func createShowListPatchDeleteWithTheContractShapes() async throws {
        let lab = try await Lab.start()
        let made = try lab.call("POST", "", body: Self.create)
        #expect(made.status == 201)
        let sub = lab.json(made)
        let id = try #require(sub["id"] as? String)
        #expect((sub["secret"] as? String)?.hasPrefix("whsec_") == true)
        #expect(sub["enabled"] as? Bool == true && sub["events"] as? [String] == ["client_webinar_entered"] && sub["created_at"] is String)

        let shown = try lab.call("GET", "/\(id)")
        #expect(shown.status == 200)
        let s = lab.json(shown)
        #expect(s["secret"] == nil && s["disabled_reason"] is NSNull && s["delivered"] as? Int == 0 && s["dead"] as? Int == 0)
        let list = lab.json(try lab.call("GET", ""))
        #expect((list["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        #expect((list["webhooks"] as? [[String: Any]])?.first?["secret"] == nil)

        let patched = try lab.call("PATCH", "/\(id)", body: "{\"enabled\":false,\"events\":[\"*\"]}")
        #expect(patched.status == 200)
        #expect(lab.json(patched)["disabled_reason"] as? String == "manual" && lab.json(patched)["events"] as? [String] == ["*"])

        let rotated = try lab.call("POST", "/\(id)/rotate-secret")
        #expect(rotated.status == 200)
        #expect((lab.json(rotated)["secret"] as? String)?.hasPrefix("whsec_") == true && lab.json(rotated)["previous_valid_until"] is String)

        #expect(try lab.call("DELETE", "/\(id)").status == 204)
        #expect(try lab.call("GET", "/\(id)").status == 404)
        #expect(try lab.call("DELETE", "/\(id)").status == 404)
        #expect(try await lab.keys() == [], "hash and index gone")
        await lab.stop()
    }

    @Test func badRequestsAreRefusedAndChangeNothing() async throws {
        let lab = try await Lab.start()
        let id = try #require(lab.json(try lab.call("POST", "", body: Self.create))["id"] as? String)
        let before = try await lab.client.command(["HGETALL", WebhookQueueKeys.subscription(id)])
        #expect(try lab.call("POST", "", body: "{\"url\":\"http://10.0.0.1/\"}").status == 422)
        let badEvent = try lab.call("POST", "", body: "{\"url\":\"https://example.com\",\"events\":[\"nope\"]}")
        #expect(badEvent.status == 422 && badEvent.text.contains("events"))
        #expect(try lab.call("POST", "", body: Self.create, contentType: "text/plain").status == 415)
        let badPatch = try lab.call("PATCH", "/\(id)", body: "{\"description\":\"ok\",\"url\":\"ftp://x\"}")
        #expect(badPatch.status == 422 && badPatch.text.contains("url"))
        #expect(try lab.call("PATCH", "/\(id)", body: "{\"secret\":\"x\"}").status == 422)
        #expect(try lab.call("PATCH", "/wh_00ff", body: "{\"description\":\"x\"}").status == 404)
        #expect(try lab.call("POST", "/\(id)/replay", body: "{\"event_id\":5}").status == 422)
        for bad in ["{\"from\":5}", "{\"from\":\"yesterday\"}", "{\"from\":\"2026-02-30T00:00:00Z\"}", "{\"until\":\"x\"}"] {
            #expect(try lab.call("POST", "/\(id)/replay", body: bad).status == 422, "\(bad)")
        }
        #expect(try lab.call("POST", "/\(id)/replay", body: "{\"from\":\"2026-12-04T00:00:00Z\"}").status == 202)
        #expect(try lab.call("GET", "", token: RoomAuth.organizer).status == 403)
        #expect(try lab.call("GET", "/not-an-id").status == 404)
        #expect(try await lab.client.command(["HGETALL", WebhookQueueKeys.subscription(id)]) == before, "nothing changed")
        #expect(try await lab.client.command(["SCARD", WebhookQueueKeys.ids]).integer == 1)
        await lab.stop()
    }

    @Test func deadAndReplay() async throws {
        let lab = try await Lab.start()
        let id = try #require(lab.json(try lab.call("POST", "", body: Self.create))["id"] as? String)
        for event in ["evt_1", "evt_2"] {
            _ = try await lab.client.command(["XADD", WebhookQueueKeys.dead, "*", "sub", id, "event_id", event, "attempts", "3",
                                              "last_status", "", "last_error", "timeout", "dead_at", "1800000000000", "type", "t", "body", "{}"])
        }
        let dead = try lab.call("GET", "/\(id)/dead")
        #expect(dead.status == 200)
        let letters = try #require(lab.json(dead)["deliveries"] as? [[String: Any]])
        #expect(letters.map { $0["event_id"] as? String } == ["evt_2", "evt_1"])
        #expect(letters.first?["last_status"] is NSNull && letters.first?["last_error"] as? String == "timeout"
                && letters.first?["attempts"] as? Int == 3 && letters.first?["dead_at"] as? String == "2027-01-15T08:00:00.000Z")
        let one = try lab.call("POST", "/\(id)/replay", body: "{\"event_id\":\"evt_1\"}")
        #expect(one.status == 202 && lab.json(one)["replayed"] as? Int == 1)
        let rest = try lab.call("POST", "/\(id)/replay", body: "{}")
        #expect(rest.status == 202 && lab.json(rest)["replayed"] as? Int == 1)
        #expect(try await lab.client.command(["ZCARD", WebhookQueueKeys.due]).integer == 2)
        #expect(try lab.call("POST", "/wh_00ff/replay", body: "{}").status == 404)
        #expect(try lab.call("GET", "/wh_00ff/dead").status == 404)
        await lab.stop()
    }
}

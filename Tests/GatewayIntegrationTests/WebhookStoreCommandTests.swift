// `gateway webhooks ...` (WebhooksCommand.run) against a real redis-server: every verb's output and
// effect, bad input refused before anything is written, an unknown id named as such.
import Foundation
import GatewayTestSupport
import RedisStore
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookStoreCommandTests {
    typealias Lab = WebhookQueueTests.Lab

    static func run(_ lab: Lab, _ args: String...) async throws(ConfigurationError) -> String {
        try await WebhooksCommand.run(arguments: args, environment: ["GATEWAY_REDIS_URL": lab.redis.url])
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func refused(_ lab: Lab, _ args: String...) async -> String? {
        do {
            _ = try await WebhooksCommand.run(arguments: args, environment: ["GATEWAY_REDIS_URL": lab.redis.url])
            return nil
        } catch {
            return error.description
        }
    }

    @Test func everyVerbAgainstRedis() async throws {
        let lab = try await Lab.start()
        let added = Self.json(try await Self.run(lab, "add", "https://example.com/h", "--events", "client_webinar_entered,client_webinar_left",
                                                 "--description", "crm"))
        let id = try #require(added["id"] as? String)
        #expect((added["secret"] as? String)?.hasPrefix("whsec_") == true)
        #expect(Set(added["events"] as? [String] ?? []) == ["client_webinar_entered", "client_webinar_left"])
        let listed = Self.json(try await Self.run(lab, "list"))
        #expect((listed["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        #expect(Self.json(try await Self.run(lab, "show", id))["description"] as? String == "crm")
        #expect(Self.json(try await Self.run(lab, "disable", id))["disabled_reason"] as? String == "manual")
        #expect(Self.json(try await Self.run(lab, "enable", id))["enabled"] as? Bool == true)
        let oldSecret = try await lab.cmd("HGET", WebhookQueueKeys.subscription(id), "secret").string
        let rotated = Self.json(try await Self.run(lab, "rotate-secret", id))
        #expect(rotated["secret"] as? String != oldSecret && rotated["previous_valid_until"] is String)
        #expect(try await lab.cmd("HGET", WebhookQueueKeys.subscription(id), "previous_secret").string == oldSecret)
        _ = try await lab.cmd("XADD", WebhookQueueKeys.dead, "*", "sub", id, "event_id", "evt_9", "attempts", "10", "last_status", "503",
                              "last_error", "", "dead_at", "1800000000000", "type", "t", "body", "{}")
        let dead = Self.json(try await Self.run(lab, "dead", id))
        #expect((dead["deliveries"] as? [[String: Any]])?.first?["last_status"] as? Int == 503)
        #expect(try await Self.run(lab, "replay", id, "--event", "evt_9") == "{\"replayed\":1}")
        #expect(try await Self.run(lab, "replay", id) == "{\"replayed\":0}")
        #expect(try await Self.run(lab, "rm", id) == "deleted \(id)")
        #expect(await Self.refused(lab, "show", id) == "no such webhook subscription")
        await lab.stop()
    }

    @Test func badInputIsRefusedBeforeAnythingIsWritten() async throws {
        let lab = try await Lab.start()
        #expect(await Self.refused(lab, "add", "http://127.0.0.1/h")?.contains("url") == true)
        #expect(await Self.refused(lab, "add", "https://example.com", "--events", "nope")?.contains("events") == true)
        #expect(await Self.refused(lab, "add", "https://example.com", "--description") != nil)
        #expect(await Self.refused(lab, "show", "nope")?.contains("subscription id") == true)
        #expect(await Self.refused(lab, "replay", "wh_00ff", "--from", "yesterday")?.contains("--from") == true)
        #expect(await Self.refused(lab, "frobnicate") != nil)
        #expect(try await lab.cmd("KEYS", "wg:webhooks:*").array?.isEmpty == true)
        // With the serve flag, a private http target is accepted.
        let ok = Self.json(try await Self.run(lab, "add", "http://127.0.0.1:9/h", "--webhook-allow-private"))
        #expect(ok["url"] as? String == "http://127.0.0.1:9/h")
        await lab.stop()
    }
}

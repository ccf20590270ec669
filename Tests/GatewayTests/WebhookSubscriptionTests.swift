// Subscription validation tables (URL, events, description, body members), the create/patch/rotate
// value semantics, the Redis hash codec round trip, and the check that OutboundHook lists every hook
// the emitters can write to `wg:events`. Pure: no Redis, no network.
import Testing
@testable import Gateway

@Suite struct WebhookSubscriptionTests {
    // MARK: URL

    @Test(arguments: [
        ("https://hooks.example.com/in", false, "hooks.example.com", 443, "/in"),
        ("HTTPS://Hooks.Example.COM", false, "hooks.example.com", 443, "/"),
        ("https://example.com:8443?a=1", false, "example.com", 8443, "/?a=1"),
        ("https://93.184.216.34/x", false, "93.184.216.34", 443, "/x"),
        ("https://[2606:4700::1111]:444/p?q", false, "2606:4700::1111", 444, "/p?q"),
        ("http://127.0.0.1:9000/hook", true, "127.0.0.1", 9000, "/hook"),
        ("http://localhost/x", true, "localhost", 80, "/x"),
        ("https://[::1]/", true, "::1", 443, "/"),
        ("https://my_host.internal.example/%41", false, "my_host.internal.example", 443, "/%41"),
    ]) func acceptsURLs(_ text: String, _ allowPrivate: Bool, _ host: String, _ port: Int, _ target: String) throws {
        let url = try WebhookURL.parse(text, allowPrivate: allowPrivate).get()
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.target == target)
        #expect(try WebhookURL.parse(url.text, allowPrivate: allowPrivate).get() == url)
    }

    @Test(arguments: [
        ("", false), ("example.com/x", false), ("ftp://example.com/", false), ("https:/example.com", false),
        ("http://example.com/", false), ("https://", false), ("https:///path", false), ("https://user:pw@example.com/", false),
        ("https://user@example.com/", false), ("https://example.com:0/", false), ("https://example.com:65536/", false),
        ("https://example.com:/", false), ("https://example.com:8a/", false), ("https://example.com/#frag", false),
        ("https://exa mple.com/", false), ("https://exämple.com/", false), ("https://example.com/\u{7}", false),
        ("https://-bad.example.com/", false), ("https://a..b/", false), ("https://1.2.3/", false), ("https://[1.2.3.4]/", false),
        ("https://[::1/", false), ("https://[::1]x/", false), ("https://127.0.0.1/", false), ("https://10.1.2.3/", false),
        ("https://172.20.0.1/", false), ("https://192.168.1.1/", false), ("https://169.254.169.254/", false),
        ("https://100.64.0.1/", false), ("https://0.0.0.0/", false), ("https://224.0.0.1/", false), ("https://[::1]/", false),
        ("https://[fe80::1]/", false), ("https://[fd00::1]/", false), ("https://[::ffff:127.0.0.1]/", false),
        ("https://localhost/", false), ("https://api.localhost./", false),
        ("https://example.com/" + String(repeating: "a", count: 2048), true),
    ]) func refusesURLs(_ text: String, _ allowPrivate: Bool) {
        guard case .failure(let p) = WebhookURL.parse(text, allowPrivate: allowPrivate) else { Issue.record("accepted \(text)"); return }
        #expect(p.status == 422)
        #expect(p.slug == "invalid-field")
        #expect(p.detail?.hasPrefix("url: ") == true)
    }

    @Test func addressPolicy() {
        let cases: [(String, Bool)] = [("8.8.8.8", true), ("172.32.0.1", true), ("192.0.2.1", true), ("198.20.0.1", true),
                                       ("2001:4860:4860::8888", true), ("::ffff:8.8.8.8", true), ("198.18.0.1", false),
                                       ("255.255.255.255", false), ("::", false), ("ff02::1", false), ("192.0.0.8", false)]
        for (host, expected) in cases {
            #expect(WebhookAddressPolicy.literalAddress(host).map(WebhookAddressPolicy.isPublic) == expected, "\(host)")
        }
        #expect(WebhookAddressPolicy.literalAddress("example.com") == nil)
        #expect(!WebhookAddressPolicy.isPublic([1, 2, 3]))
    }

    // MARK: events and body members

    @Test func eventFilters() throws {
        #expect(try WebhookEventFilter.parse(["*"]).get() == .all)
        let some = try WebhookEventFilter.parse(["post_webinar_route", "client_webinar_entered"]).get()
        #expect(some.names == ["client_webinar_entered", "post_webinar_route"])
        #expect(some.matches("client_webinar_entered") && !some.matches("client_webinar_left") && !some.matches("nope"))
        #expect(WebhookEventFilter.all.matches("anything"))
        #expect(WebhookEventFilter(storedText: some.storedText) == some)
        #expect(WebhookEventFilter(storedText: "*") == .all)
        for bad in [[], ["*", "client_webinar_left"], ["client_webinar_left", "client_webinar_left"], ["core_user_login"], ["Client_webinar_left"], [""]] {
            guard case .failure(let p) = WebhookEventFilter.parse(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(p.detail?.hasPrefix("events: ") == true)
        }
    }

    static let goodURL: ClaimValue = .string("https://hooks.example.com/in")

    @Test(arguments: [
        (["events": .array([.string("*")])], WebhookSubscriptionInput.Mode.create, "url"),
        (["url": .number(1)], .create, "url"),
        (["url": goodURL, "events": .string("*")], .create, "events"),
        (["url": goodURL, "events": .array([.number(1)])], .create, "events"),
        (["url": goodURL, "events": .array([.string("nope")])], .create, "events"),
        (["url": goodURL, "description": .bool(true)], .create, "description"),
        (["url": goodURL, "description": .string(String(repeating: "é", count: 513))], .create, "description"),
        (["url": goodURL, "description": .string("line\nbreak")], .create, "description"),
        (["url": goodURL, "secret": .string("whsec_short")], .create, "secret"),
        (["url": goodURL, "secret": .number(3)], .create, "secret"),
        (["url": goodURL, "enabled": .bool(false)], .create, "enabled"),
        (["url": goodURL, "id": .string("wh_1")], .create, "id"),
        (["enabled": .string("yes")], .patch, "enabled"),
        (["secret": .string(WebhookSignerTests.vectors[0].secret)], .patch, "secret"),
        (["url": .string("http://hooks.example.com/")], .patch, "url"),
        (["bad key!": .null], .patch, "body"),
    ]) func refusesBadBodies(_ fields: [String: ClaimValue], _ mode: WebhookSubscriptionInput.Mode, _ field: String) {
        guard case .failure(let p) = WebhookSubscriptionInput.parse(fields, mode: mode, allowPrivate: false) else {
            Issue.record("accepted \(fields)"); return
        }
        #expect(p.status == 422)
        #expect(p.detail?.hasPrefix(field + ": ") == true, "\(p.detail ?? "")")
    }

    static let fixedSecret = WebhookSecret(key: Array(repeating: 9, count: 32))

    static func created(_ fields: [String: ClaimValue]) throws -> WebhookSubscription {
        let input = try WebhookSubscriptionInput.parse(fields, mode: .create, allowPrivate: false).get()
        return try WebhookSubscription.create(input, id: "wh_00ff", secret: fixedSecret, nowMillis: 1_000).get()
    }

    @Test func createPatchRotate() throws {
        let sub = try Self.created(["url": Self.goodURL, "description": .string("CRM ☃")])
        #expect(sub.enabled && sub.events == .all && sub.description == "CRM ☃" && sub.secret == Self.fixedSecret && sub.createdAtMillis == 1_000)
        let given = try Self.created(["url": Self.goodURL, "secret": .string(WebhookSignerTests.vectors[0].secret), "description": .null])
        #expect(given.secret.text == WebhookSignerTests.vectors[0].secret && given.description == "")

        let patch = try WebhookSubscriptionInput.parse(["enabled": .bool(false), "events": .array([.string("webinar_completed")])],
                                                       mode: .patch, allowPrivate: false).get()
        let off = sub.patched(patch)
        #expect(!off.enabled && off.disabledReason == .manual && off.events == .only([.webinarCompleted]) && off.url == sub.url)
        var gone = sub
        gone.disabledReason = .gone
        gone.health = WebhookEndpointHealth(failingSinceMillis: 5)
        #expect(gone.patched(patch).disabledReason == .gone)
        let on = gone.patched(WebhookSubscriptionInput(enabled: true))
        #expect(on.enabled && on.health == WebhookEndpointHealth())

        let next = WebhookSecret(key: Array(repeating: 1, count: 24))
        let rotated = sub.rotated(to: next, nowMillis: 10_000)
        #expect(rotated.signingSecrets(nowMillis: 10_000) == [next, Self.fixedSecret])
        #expect(rotated.signingSecrets(nowMillis: 10_000 + 86_400_000 - 1).count == 2)
        #expect(rotated.signingSecrets(nowMillis: 10_000 + 86_400_000) == [next])
        #expect(sub.signingSecrets(nowMillis: 0) == [Self.fixedSecret])
    }

    @Test func ids() throws {
        let id = try #require(WebhookSubscription.newID(random: { Array(repeating: 0xA5, count: $0) }))
        #expect(id == "wh_" + String(repeating: "a5", count: 12))
        let real = try #require(WebhookSubscription.newID())
        #expect(WebhookSubscription.isID(id) && WebhookSubscription.isID(real))
        #expect(WebhookSubscription.newID(random: { _ in nil }) == nil)
        for bad in ["wh_", "wh_A5", "xx_a5", "wh_a5/", "wh_" + String(repeating: "a", count: 129)] { #expect(!WebhookSubscription.isID(bad)) }
    }

    // MARK: Redis codec

    @Test func redisRoundTrip() throws {
        var sub = try Self.created(["url": .string("https://[2606:4700::1]:8443/in?x=1"), "events": .array([.string("client_webinar_left")]),
                                    "description": .string("a,b=c")])
        #expect(WebhookSubscription(redisFields: Dictionary(uniqueKeysWithValues: sub.redisFields)) == sub)
        sub = sub.rotated(to: WebhookSecret(key: Array(repeating: 2, count: 64)), nowMillis: 50)
        sub.disabledReason = .failing
        sub.health = WebhookEndpointHealth(failingSinceMillis: 7, lastSuccessMillis: 3)
        var hash = Dictionary(uniqueKeysWithValues: sub.redisFields)
        #expect(hash.keys.sorted() == WebhookSubscription.redisFieldNames.sorted())
        #expect(WebhookSubscription(redisFields: hash) == sub)
        hash["delivered"] = "5"; hash["dead"] = "2"
        #expect(WebhookSubscription(redisFields: hash)?.counters == .init(delivered: 5, failed: 0, dead: 2))
        for (field, value) in [("id", "x"), ("url", "ftp://x"), ("events", "nope"), ("secret", "whsec_x"), ("created_at", ""),
                               ("previous_secret", "bad"), ("previous_valid_until", "soon"), ("disabled_reason", "tired")] {
            var broken = hash
            broken[field] = value
            #expect(WebhookSubscription(redisFields: broken) == nil, "\(field)")
        }
        hash.removeValue(forKey: "secret")
        #expect(WebhookSubscription(redisFields: hash) == nil)
    }

    // MARK: the canonical hook list

    @Test func everyEmittedHookIsListed() throws {
        var emitted = Set<String>()
        for script in [EventScripts.emit, CoreHooks.script, AttendanceRunner.batch] {
            for piece in script.source.split(separator: "'hook', '").dropFirst() { emitted.insert(String(piece.prefix(while: { $0 != "'" }))) }
        }
        let bodies: [(String, Claims)] = [
            (#"{"type":"registered","slot_id":"s","source":"l"}"#, FactPlannerTests.live), (#"{"type":"entered"}"#, FactPlannerTests.auto),
            (#"{"type":"left","leave_reason":"tab_closed"}"#, FactPlannerTests.auto), (#"{"type":"completed"}"#, FactPlannerTests.auto),
            (#"{"type":"form_submitted","form_id":"f-1","form_payload":{}}"#, FactPlannerTests.live),
            (#"{"type":"progress","progress":50}"#, FactPlannerTests.auto), (#"{"type":"cta_click"}"#, FactPlannerTests.auto),
        ]
        for (body, claims) in bodies { emitted.formUnion(try FactPlannerTests.planned(body, claims).events.map(\.hook)) }
        #expect(emitted.count >= 12)
        #expect(emitted.subtracting(OutboundHook.names) == [])
        #expect(Set(OutboundHook.names).subtracting(emitted) == ["webhook_endpoint_disabled"])
    }
}

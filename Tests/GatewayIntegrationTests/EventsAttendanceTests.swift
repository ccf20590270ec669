// The attendance batch (contract §4): when a live webinar ends, every lead that registered or entered
// gets client_webinar_attendance_classified + post_webinar_route exactly once, attended = entered.
// Large audience, small batches, and the node running the batch killed halfway: another node takes
// the lease over once it runs out and finishes from the saved cursor. Archiving a live (or paused)
// webinar classifies like ending it, once. Real clock (the lease is a Redis PX timer; the runners poll
// every 50 ms).
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct Attendance {
        @Test func twentyThousandLeadsSurviveTheKillOfTheRunningNode() throws {
            let c = try EventsCluster(nodes: 1) {
                $0.attendance.batchSize = 200
                $0.attendance.leaseMillis = 1000
                $0.attendance.pollSeconds = 0.05
            }
            defer { c.stop() }
            let db = try EventsRedis(url: c.redis.url)
            defer { db.close() }
            let w = "w-big"
            let total = 20_000
            // The audience is seeded directly (SADD into the sets the fact script fills: `leads` for
            // registered/entered, `entered` for entered); 20,000 HTTP facts would only slow the test.
            // A few leads come through real facts too, so both paths feed the same batch.
            let seeded = (0..<(total - 4)).map { String(format: "lead-%05d", $0) }
            let seededEntered = Set(seeded.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
            try db.sadd("wg:{w:\(w)}:leads", seeded)
            try db.sadd("wg:{w:\(w)}:entered", Array(seededEntered))
            #expect(try RoomHTTP.status(c.port(0), w, "start").status == 200)
            let viaFacts: [(String, Bool)] = [("lead-f1", true), ("lead-f2", false), ("lead-f3", true), ("lead-f4", false)]
            for (i, (lead, enters)) in viaFacts.enumerated() {
                let t = EventsAuth.attendee(session: "fs-\(i)", lead: lead)
                let r = try EventsHTTP.fact(c.port(0), w, "fs-\(i)", body: "{\"type\":\"registered\",\"slot_id\":\"slot\",\"source\":\"web\"}", token: t)
                try #require(r.isFact(["client_webinar_registered"], duplicate: false), "\(r.text)")
                if enters {
                    let e = try EventsHTTP.fact(c.port(0), w, "fs-\(i)", body: "{\"type\":\"entered\"}", token: t)
                    try #require(e.isFact(["client_webinar_entered"], duplicate: false), "\(e.text)")
                }
            }
            let entered = seededEntered.union(viaFacts.filter(\.1).map(\.0))
            try #require(try db.integer(["SCARD", "wg:{w:\(w)}:leads"]) == total)
            try #require(try db.integer(["SCARD", "wg:{w:\(w)}:entered"]) == entered.count)
            let streamBefore = try db.entries().last?.id ?? "0"

            // End the webinar: node 0 (alone) takes the job. Kill it once some batches are done.
            #expect(try RoomHTTP.status(c.port(0), w, "stop").status == 200)
            let job = "wg:{w:\(w)}:attendance:job", lease = "wg:{w:\(w)}:attendance:lease"
            let started = eventually(seconds: 10) { ((try? db.string(["HGET", job, "cursor"])) ?? "0") != "0" }
            try #require(started, "node 0 never ran a batch")
            c.kill(0)
            let cursorAtKill = try db.string(["HGET", job, "cursor"]) ?? "?"
            let stateAtKill = try db.string(["HGET", job, "state"]) ?? "?"
            let leaseAtKill = try db.string(["GET", lease])
            let snapshot = try db.entries(after: "(" + streamBefore)
            let doneAtKill = snapshot.filter { $0.hook == "post_webinar_route" }.count
            let lastAtKill = snapshot.last?.id ?? streamBefore
            #expect(cursorAtKill != "0" && stateAtKill == "pending", "the job was not mid-way at the kill: cursor \(cursorAtKill), state \(stateAtKill)")
            #expect(leaseAtKill != nil, "the killed node's lease is still held")
            #expect(doneAtKill > 0 && doneAtKill < total, "classified before the kill: \(doneAtKill)")
            try #require(stateAtKill == "pending" && doneAtKill < total)

            // A second node takes over after the lease runs out and finishes the job.
            let survivor = try c.addNode()
            let finished = eventually(seconds: 20) { (try? db.string(["HGET", job, "state"])) == "done" }
            try #require(finished, "the job did not finish: cursor \((try? db.string(["HGET", job, "cursor"])) ?? "?")")
            #expect(try db.integer(["EXISTS", lease]) == 0, "the lease is released at the end")
            #expect(try db.integer(["SISMEMBER", "wg:jobs:attendance", w]) == 0, "the job left the pending set")
            #expect(c.live.count == 1 && c.nodes[survivor] != nil)

            // Every lead exactly once, attended exactly for the entered ones.
            let events = try db.entries(after: "(" + streamBefore)
            var classified: [String: Int] = [:], routed: [String: Int] = [:]
            var wrong: [String] = []
            for e in events {
                guard e.hook == "client_webinar_attendance_classified" || e.hook == "post_webinar_route" else {
                    wrong.append("unexpected \(e.hook)")
                    continue
                }
                guard let p = e.payloadAny, let lead = p["lead_id"] as? String, let attended = p["attended"] as? Bool,
                      p["webinar_id"] as? String == w else {
                    wrong.append("bad payload \(e.field("payload") ?? "-")")
                    continue
                }
                if attended != entered.contains(lead) { wrong.append("\(lead) attended=\(attended)") }
                if e.hook == "post_webinar_route" {
                    routed[lead, default: 0] += 1
                    if p["route"] as? String != (attended ? "attended" : "not_attended") { wrong.append("\(lead) route \(p["route"] ?? "-")") }
                } else {
                    classified[lead, default: 0] += 1
                }
                if wrong.count > 10 { break }
            }
            #expect(wrong.isEmpty, "\(wrong.prefix(10))")
            #expect(classified.count == total && routed.count == total, "classified \(classified.count), routed \(routed.count) of \(total)")
            let twice = classified.filter { $0.value != 1 }.count + routed.filter { $0.value != 1 }.count
            #expect(twice == 0, "\(twice) leads classified more than once")
            #expect(events.count == 2 * total, "\(events.count) events for \(total) leads")
            #expect(Set(events.map(\.eventID)).count == events.count, "event ids not unique")
            let afterKill = events.filter { Self.idLess(lastAtKill, $0.id) && $0.hook == "post_webinar_route" }.count
            #expect(afterKill > 0 && afterKill + doneAtKill == total, "the survivor classified \(afterKill), the killed node \(doneAtKill)")

            // A late fact or a second end does not classify anyone again.
            #expect(try RoomHTTP.status(c.port(survivor), w, "start").status == 200)
            let late = try EventsHTTP.fact(c.port(survivor), w, "late-1", body: "{\"type\":\"entered\"}",
                                           token: EventsAuth.attendee(session: "late-1", lead: "lead-00001"))
            #expect(late.isFact(["client_webinar_entered"], duplicate: false))
            #expect(try RoomHTTP.status(c.port(survivor), w, "stop").status == 200)
            let rerun = eventually(seconds: 10) { (try? db.string(["HGET", job, "state"])) == "done" }
            #expect(rerun)
            #expect(try db.entries(hook: "post_webinar_route").count == total, "a second end classified leads again")
        }

        /// live → archived classifies the audience as live → ended does, once; paused → archived too;
        /// ended → archived does not run the batch again; scheduled → archived classifies no one.
        @Test func archivingALiveWebinarClassifiesItsAudienceOnce() throws {
            let c = try EventsCluster(nodes: 1) { $0.attendance.pollSeconds = 0.05 }
            defer { c.stop() }
            let db = try EventsRedis(url: c.redis.url)
            defer { db.close() }
            let port = c.port(0)
            /// Registers `lead` (and enters when `enters`) for `w` through real facts.
            func audience(_ w: String, _ lead: String, enters: Bool) throws {
                let t = EventsAuth.attendee(session: "s-\(w)-\(lead)", lead: lead)
                let r = try EventsHTTP.fact(port, w, "s-\(w)-\(lead)", body: "{\"type\":\"registered\",\"slot_id\":\"slot\",\"source\":\"web\"}", token: t)
                try #require(r.isFact(["client_webinar_registered"], duplicate: false), "\(r.text)")
                if enters {
                    let e = try EventsHTTP.fact(port, w, "s-\(w)-\(lead)", body: "{\"type\":\"entered\"}", token: t)
                    try #require(e.isFact(["client_webinar_entered"], duplicate: false), "\(e.text)")
                }
            }
            func routes(_ w: String) throws -> [String: String] {
                var out: [String: String] = [:]
                for e in try db.entries(hook: "post_webinar_route", "webinar_id", w) {
                    out[e.payloadString("lead_id") ?? "?"] = e.payloadString("route") ?? "?"
                }
                return out
            }
            func done(_ w: String) -> Bool {
                eventually(seconds: 10) { (try? db.string(["HGET", "wg:{w:\(w)}:attendance:job", "state"])) == "done" }
            }
            // live → archived
            for (lead, enters) in [("a1", true), ("a2", false)] { try audience("w-arch", lead, enters: enters) }
            #expect(try RoomHTTP.status(port, "w-arch", "start").status == 200)
            #expect(try RoomHTTP.status(port, "w-arch", "archive").status == 200)
            try #require(done("w-arch"), "live → archived did not run the attendance batch")
            #expect(try routes("w-arch") == ["a1": "attended", "a2": "not_attended"])
            #expect(try db.entries(hook: "client_webinar_attendance_classified", "webinar_id", "w-arch").count == 2)
            // paused → archived
            try audience("w-paused", "p1", enters: true)
            for action in ["start", "pause", "archive"] { #expect(try RoomHTTP.status(port, "w-paused", action).status == 200) }
            try #require(done("w-paused"), "paused → archived did not run the attendance batch")
            #expect(try routes("w-paused") == ["p1": "attended"])
            // ended → archived: classified once, when it ended; the archive enqueues nothing.
            try audience("w-ended", "e1", enters: false)
            for action in ["start", "stop"] { #expect(try RoomHTTP.status(port, "w-ended", action).status == 200) }
            try #require(done("w-ended"))
            // The test holds the job's lease, so a job enqueued again would stay pending where it can be seen.
            _ = try db.command(["SET", "wg:{w:w-ended}:attendance:lease", "held-by-the-test", "PX", "60000"])
            let jobBefore = try db.command(["HGETALL", "wg:{w:w-ended}:attendance:job"])
            #expect(try RoomHTTP.status(port, "w-ended", "archive").status == 200)
            #expect(try db.integer(["SISMEMBER", "wg:jobs:attendance", "w-ended"]) == 0, "ended → archived enqueued the batch again")
            #expect(try db.command(["HGETALL", "wg:{w:w-ended}:attendance:job"]) == jobBefore)
            #expect(try routes("w-ended") == ["e1": "not_attended"])
            // scheduled → archived: never live, no batch.
            try audience("w-never", "n1", enters: false)
            #expect(try RoomHTTP.status(port, "w-never", "archive").status == 200)
            #expect(try db.integer(["EXISTS", "wg:{w:w-never}:attendance:job"]) == 0)
            // Each classified lead exactly once over everything above.
            #expect(try db.entries(hook: "post_webinar_route").count == 4)
        }

        /// Stream ids compare as (ms, seq); a plain string compare is wrong across digit counts.
        static func idLess(_ a: String, _ b: String) -> Bool {
            let x = a.split(separator: "-").compactMap { UInt64($0) }, y = b.split(separator: "-").compactMap { UInt64($0) }
            return x.lexicographicallyPrecedes(y)
        }
    }
}

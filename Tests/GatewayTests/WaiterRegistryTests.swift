// WaiterRegistry on a loop driven by hand (manual clock, runPendingWork) and a fake responder: every
// parked poll is answered exactly once, by its deadline (304), a change (200), a re-read that moved
// it (200) or drain (304), and not at all once its client is gone.
import Testing
@testable import Gateway
@testable import HTTPServer
import Reactor

@Suite struct WaiterRegistryTests {
    let s1 = PollInput.session("sess-1")

    @Test func theDeadlineAnswersOne304WithThePollsETagAndHeaders() throws {
        let b = try RegistryBench()
        let view = PollInput.view(PollInput.room(3), session: s1)
        let seq = b.park(view, seconds: 30)
        #expect(b.parkedCount == 1)
        b.manual.advance(seconds: 29.9)
        #expect(b.target.answers.isEmpty, "not before the deadline")
        b.manual.advance(seconds: 0.1)
        let answers = b.target.answers(seq)
        try #require(answers.count == 1)
        #expect(answers[0].status == 304 && !answers[0].prewritten)
        #expect(answers[0].header("ETag") == view.etag)
        #expect(answers[0].header("Cache-Control") == "no-store")
        #expect(answers[0].header("RateLimit") == "\"state\";r=29;t=1")
        #expect(answers[0].header("Preference-Applied") == "wait=30")
        #expect(answers[0].body.isEmpty)
        b.manual.advance(seconds: 60)
        #expect(b.target.answers.count == 1)
        #expect(b.parkedCount == 0)
        #expect(b.interest.map(\.1) == [true, false])
    }

    @Test func aNewerSnapshotAnswersOne200CarryingTheNewETagAndBody() throws {
        let b = try RegistryBench()
        let seq = b.park(PollInput.view(PollInput.room(3), session: s1))
        let next = PollInput.room(4, .paused, cta: true)
        b.registry.roomChanged("w1", next)
        let answers = b.target.answers(seq)
        try #require(answers.count == 1)
        let expected = PollInput.view(next, session: s1)
        #expect(answers[0].status == 200 && answers[0].prewritten)
        #expect(answers[0].header("ETag") == expected.etag)
        #expect(answers[0].header("Content-Type") == "application/json")
        #expect(answers[0].header("Cache-Control") == "no-store")
        #expect(answers[0].header("RateLimit") == "\"state\";r=29;t=1")
        #expect(answers[0].body == expected.json)
        #expect(answers[0].body.contains("\"status\":\"paused\",\"cta_visibility\":true,\"version\":4"))
        b.manual.advance(seconds: 60)
        #expect(b.target.answers.count == 1, "the deadline timer was cancelled")
        #expect(b.parkedCount == 0)
        #expect(b.interest.map(\.1) == [true, false])
    }

    @Test func anOlderOrEqualSnapshotAnswersNothing() throws {
        let b = try RegistryBench()
        let view = PollInput.view(PollInput.room(3))
        let seq = b.park(view)
        b.registry.roomChanged("w1", PollInput.room(3, .ended))
        b.registry.roomChanged("w1", PollInput.room(2, .ended))
        #expect(b.target.answers.isEmpty)
        #expect(b.parkedCount == 1)
        b.manual.advance(seconds: 30)
        #expect(b.target.answers(seq).map(\.status) == [304])
        #expect(b.target.answers(seq).first?.header("ETag") == view.etag, "the poll kept its own state")
    }

    @Test func aPollParkedAfterTheLoopSawANewerVersionIsAnsweredAtOnce() throws {
        let b = try RegistryBench()
        b.park(PollInput.view(PollInput.room(5)))  // keeps the room (and its latest version) alive
        b.registry.roomChanged("w1", PollInput.room(5, .ended))
        #expect(b.target.answers.isEmpty)
        let late = b.park(PollInput.view(PollInput.room(3), session: s1))
        let answers = b.target.answers(late)
        try #require(answers.count == 1)
        #expect(answers[0].status == 200)
        #expect(answers[0].header("ETag") == PollInput.view(PollInput.room(5, .ended), session: s1).etag)
        #expect(answers[0].body.contains("\"status\":\"ended\""))
        #expect(b.parkedCount == 1, "the late poll never parked")
        b.manual.advance(seconds: 60)
        #expect(b.target.answers(late).count == 1)
        #expect(b.interest.map(\.1) == [true, false])
    }

    @Test func aCancelledPollGetsNoAnswerAndTheLastOneLeavingDropsTheRoom() throws {
        let b = try RegistryBench()
        let a = b.park(PollInput.view(PollInput.room(3)))
        let c = b.park(PollInput.view(PollInput.room(3), session: s1))
        b.target.cancel(a)
        #expect(b.parkedCount == 1)
        #expect(b.interest.map(\.1) == [true], "one poll still holds the room")
        b.target.cancel(c)
        #expect(b.parkedCount == 0)
        #expect(b.interest.count == 2 && b.interest.last?.0 == "w1" && b.interest.last?.1 == false)
        b.registry.roomChanged("w1", PollInput.room(4))
        b.manual.advance(seconds: 60)
        b.registry.drainAll()
        #expect(b.target.answers.isEmpty)
    }

    @Test func theFirstPollOfARoomAsksForItOnce() throws {
        let b = try RegistryBench()
        for _ in 0..<3 { b.park(PollInput.view(PollInput.room(1))) }
        b.park(PollInput.view("w2", PollInput.room(1)))
        #expect(b.interest.map(\.0) == ["w1", "w2"])
        #expect(b.interest.map(\.1) == [true, true])
        #expect(b.parkedCount == 4)
    }

    @Test func drainAnswersEveryParkedPollWith304() throws {
        let b = try RegistryBench()
        let views = [PollInput.view(PollInput.room(1)), PollInput.view(PollInput.room(1), session: s1),
                     PollInput.view("w2", PollInput.room(7))]
        let seqs = views.map { b.park($0) }
        b.registry.drainAll()
        for (seq, view) in zip(seqs, views) {
            #expect(b.target.answers(seq).map(\.status) == [304])
            #expect(b.target.answers(seq).first?.header("ETag") == view.etag)
        }
        #expect(b.parkedCount == 0)
        #expect(Set(b.interest.filter { !$0.1 }.map(\.0)) == ["w1", "w2"])
        b.manual.advance(seconds: 60)
        b.registry.drainAll()
        #expect(b.target.answers.count == 3)
    }

    @Test func deadlineAndChangeInOnePassAnswerOnce() throws {
        let b = try RegistryBench()
        // The timer runs first in a pass, then the queued change finds the poll gone.
        let first = b.park(PollInput.view(PollInput.room(1)), seconds: 10)
        let registry = LoopTask { b.registry.roomChanged("w1", PollInput.room(2)) }
        b.manual.loop.execute { registry.run() }
        b.manual.advance(seconds: 10)
        #expect(b.target.answers(first).map(\.status) == [304])
        // The change lands after the deadline passed but before its timer ran: the timer is then void.
        let second = b.park(PollInput.view(PollInput.room(2)), seconds: 10)
        b.manual.clock.advance(by: nanos(seconds: 10))
        b.registry.roomChanged("w1", PollInput.room(3))
        b.manual.loop.runPendingWork()
        #expect(b.target.answers(second).map(\.status) == [200])
        #expect(b.target.answers.count == 2)
        #expect(b.parkedCount == 0)
    }

    @Test func cancelAndAnswerRacesAnswerAtMostOnce() throws {
        let b = try RegistryBench()
        let gone = b.park(PollInput.view(PollInput.room(1)))
        b.target.cancel(gone)
        b.registry.roomChanged("w1", PollInput.room(2))
        #expect(b.target.answers(gone).isEmpty, "cancel then change: no answer")
        let woken = b.park(PollInput.view(PollInput.room(2)))
        b.registry.roomChanged("w1", PollInput.room(3))
        b.target.cancel(woken)  // a late cancel after the answer changes nothing
        b.registry.drainAll()
        b.manual.advance(seconds: 60)
        #expect(b.target.answers(woken).map(\.status) == [200])
        #expect(b.parkedCount == 0)
        #expect(b.interest.map(\.1) == [true, false, true, false])
    }

    @Test func aSessionChangeIsReReadOncePerSessionAndAnswersThePollsThatMoved() throws {
        let b = try RegistryBench()
        let room = PollInput.room(3)
        let a = b.park(PollInput.view(room, session: s1))
        let twin = b.park(PollInput.view(room, session: s1))
        let other = b.park(PollInput.view(room, session: PollInput.session("sess-2")))
        b.registry.sessionChanged("w1", sessionID: "sess-1")
        try #require(b.reads.count == 1, "one read for the two polls of sess-1")
        #expect(b.reads[0].view.session?.sessionID == "sess-1")
        let moved = PollInput.view(room, session: PollInput.session("sess-1", version: 2, progress: 40))
        b.reads[0].done(moved)
        for seq in [a, twin] {
            let answers = b.target.answers(seq)
            try #require(answers.count == 1)
            #expect(answers[0].status == 200 && answers[0].header("ETag") == moved.etag)
            #expect(answers[0].body == moved.json)
            #expect(answers[0].header("RateLimit") == "\"state\";r=29;t=1", "extra headers survive the re-read")
        }
        #expect(b.target.answers(other).isEmpty)
        #expect(b.parkedCount == 1)
        b.registry.sessionChanged("w1", sessionID: "sess-3")
        #expect(b.reads.count == 1, "no poll of that session: no read")
    }

    @Test func aReReadThatChangedNothingOrFailedAnswersNothing() throws {
        let b = try RegistryBench()
        let view = PollInput.view(PollInput.room(3), session: s1)
        let seq = b.park(view)
        b.registry.sessionChanged("w1", sessionID: "sess-1")
        b.reads[0].done(view)
        b.registry.sessionChanged("w1", sessionID: "sess-1")
        b.reads[1].done(nil)
        #expect(b.target.answers.isEmpty)
        #expect(b.parkedCount == 1)
        // The client leaves while a read is in flight: the read's result answers nothing.
        b.registry.sessionChanged("w1", sessionID: "sess-1")
        b.target.cancel(seq)
        b.reads[2].done(PollInput.view(PollInput.room(9), session: s1))
        #expect(b.target.answers.isEmpty)
    }

    @Test func resyncReReadsEverySessionAndForgetsTheLatestVersion() throws {
        let b = try RegistryBench()
        let a = b.park(PollInput.view(PollInput.room(5), session: s1))
        let c = b.park(PollInput.view(PollInput.room(5), session: PollInput.session("sess-2")))
        b.registry.roomChanged("w1", PollInput.room(5))  // the loop now knows version 5
        b.registry.resync("w1")
        try #require(b.reads.count == 2)
        for read in b.reads {
            // The store restarted: the room counts again from 1; sess-2's poll moved, sess-1's read failed.
            read.done(read.view.session?.sessionID == "sess-2" ? PollInput.view(PollInput.room(1), session: read.view.session) : nil)
        }
        #expect(b.target.answers(a).isEmpty)
        #expect(b.target.answers(c).map(\.status) == [200])
        #expect(b.target.answers(c).first?.body.contains("\"version\":1") == true)
        // Version 5 no longer counts as seen: an older poll parks instead of being answered at once.
        let late = b.park(PollInput.view(PollInput.room(2)))
        #expect(b.target.answers(late).isEmpty)
        #expect(b.parkedCount == 2)
    }
}

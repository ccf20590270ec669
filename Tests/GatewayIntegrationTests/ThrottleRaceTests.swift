// Concurrent admin changes of DIFFERENT route classes must not undo each other.
import Dispatch
import Foundation
import Testing
import Throttle
@testable import Gateway
import HTTPServer

extension ThrottleIntegration {
    @Suite struct Race {
        /// Two operators change two different classes at the same moment, through two nodes. Each PUT
        /// names one class; neither may revert the other's class to what it read before.
        @Test(.timeLimit(.minutes(1))) func concurrentChangesOfDifferentClassesAreBothKept() throws {
            let c = try ThrottleCluster(nodes: 2, threads: 1)
            defer { c.stop() }
            var lost: [String] = []
            for round in 1...60 {
                let stateBody = #"{"state":{"rate":\#(round)}}"#
                let eventsBody = #"{"events":{"rate":\#(round)}}"#
                let go = DispatchSemaphore(value: 0)
                let done = DispatchGroup()
                let statuses = ThrottleStatusList()
                for (i, body) in [(0, stateBody), (1, eventsBody)] {
                    done.enter()
                    Thread.detachNewThread {
                        go.wait()
                        let s = (try? c.admin(i, method: "PUT", body: body).status) ?? -1
                        statuses.append(s)
                        done.leave()
                    }
                }
                go.signal(); go.signal()
                #expect(done.wait(timeout: .now() + 10) == .success)
                #expect(statuses.values.sorted() == [200, 200])
                let now = try c.admin(0).json
                let s = (now["state"] as? [String: Any])?["rate"] as? Int
                let e = (now["events"] as? [String: Any])?["rate"] as? Int
                if s != round || e != round { lost.append("round \(round): state.rate=\(s ?? -1) events.rate=\(e ?? -1)") }
            }
            #expect(lost.isEmpty, "\(lost.count) of 60 rounds lost a change: \(lost.prefix(5))")
            // A PUT that changes nothing writes nothing.
            let version = c.limitsVersion
            #expect(try c.admin(1, method: "PUT", body: #"{"state":{"rate":60}}"#).status == 200)
            #expect(c.limitsVersion == version)
        }

        /// The CLI and the admin API changing different classes at once keep both changes.
        @Test(.timeLimit(.minutes(1))) func cliAndAdminChangingDifferentClassesKeepBoth() async throws {
            let c = try ThrottleCluster(nodes: 1, threads: 1)
            defer { c.stop() }
            var lost: [String] = []
            for round in 1...20 {
                async let cli = c.throttle(["set", "events", "rate=\(round)"])
                let put = try c.admin(0, method: "PUT", body: #"{"state":{"rate":\#(round)}}"#)
                _ = try await cli
                #expect(put.status == 200)
                let now = try c.admin(0).json
                let s = (now["state"] as? [String: Any])?["rate"] as? Int
                let e = (now["events"] as? [String: Any])?["rate"] as? Int
                if s != round || e != round { lost.append("round \(round): state.rate=\(s ?? -1) events.rate=\(e ?? -1)") }
            }
            #expect(lost.isEmpty, "\(lost)")
        }
    }
}

/// A tiny locked list for results from several threads.
final class ThrottleStatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ v: Int) { lock.lock(); items.append(v); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return items }
}

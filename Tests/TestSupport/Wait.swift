// The one wait helper of the test suite: poll a condition until it holds or a deadline passes, never a
// bare sleep standing in for "long enough". The deadline only bounds a wait for something that must
// happen; no test asserts how long anything took (speed belongs in the benchmarks).
import Foundation
import Glibc

/// Polls `condition` every `interval` seconds until it holds or `seconds` pass; true if it held.
public func eventually(seconds: Double = 5, interval: Double = 0.005, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(useconds_t(interval * 1e6))
    }
    return try condition()
}

/// The async form: `condition` may await (a hop onto an event loop, say).
public func eventually(seconds: Double = 5, interval: Double = 0.005, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
    }
    return try await condition()
}

/// Runs `body` until it does not throw or `seconds` pass (then rethrows its last error).
public func retrying<T>(seconds: Double = 10, interval: Double = 0.01, _ body: () throws -> T) throws -> T {
    var last: Result<T, any Error>!
    _ = eventually(seconds: seconds, interval: interval) {
        last = Result { try body() }
        if case .success = last { return true } else { return false }
    }
    return try last.get()
}

/// The async form of `retrying`.
public func retrying<T>(seconds: Double = 10, interval: Double = 0.01, _ body: () async throws -> T) async throws -> T {
    var last: Result<T, any Error>!
    _ = await eventually(seconds: seconds, interval: interval) {
        do { last = .success(try await body()) } catch { last = .failure(error) }
        if case .success = last { return true } else { return false }
    }
    return try last.get()
}

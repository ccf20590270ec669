// What ops may set: LimitsChange.parse (the CLI words), ClassLimits validation and the all-or-nothing
// `applied(to:)`, and how limits are read from / written to Redis (LimitsCodec).
import RedisStore
import Testing
import Throttle

@Suite struct LimitsChangeTests {
    @Test func parsesEveryWord() throws {
        #expect(try LimitsChange.parse(["rate=5", "burst=20", "mode=shadow"]) == LimitsChange(rate: 5, burst: 20, mode: .shadow))
        #expect(try LimitsChange.parse(["rate=0.5"]) == LimitsChange(rate: 0.5))
        #expect(try LimitsChange.parse(["burst=1"]) == LimitsChange(burst: 1))
        #expect(try LimitsChange.parse(["mode=off"]) == LimitsChange(mode: .off))
        #expect(try LimitsChange.parse(["mode=enforce", "rate=1e3"]) == LimitsChange(rate: 1000, mode: .enforce))
        // A later word wins over an earlier one of the same key.
        #expect(try LimitsChange.parse(["rate=1", "rate=2"]) == LimitsChange(rate: 2))
    }

    @Test(arguments: [
        ([], "give at least one"),
        (["rate"], "expected key=value"),
        (["rate=abc"], "rate: 'abc' is not a number"),
        (["rate="], "expected key=value"),
        (["burst=ten"], "burst: 'ten' is not a number"),
        (["rate=1=2"], "is not a number"),
        (["mode=bogus"], "mode: expected enforce, shadow or off"),
        (["mode=Enforce"], "mode:"),
        (["speed=3"], "unknown setting 'speed'"),
        (["rate=1", "oops"], "'oops': expected key=value"),
    ] as [([String], String)])
    func refusesBadWords(words: [String], message: String) {
        #expect(throws: ThrottleError.self) { try LimitsChange.parse(words) }
        do {
            _ = try LimitsChange.parse(words)
        } catch {
            // Typed throws: `error` is a ThrottleError.
            #expect(error.description.contains(message), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    static let base = ClassLimits(rate: 2, burst: 30, mode: .enforce)

    @Test(arguments: [
        LimitsChange(rate: 0), LimitsChange(rate: -1), LimitsChange(rate: 100_000.5), LimitsChange(rate: .nan),
        LimitsChange(rate: .infinity), LimitsChange(rate: -.infinity),
        LimitsChange(burst: 0), LimitsChange(burst: 0.5), LimitsChange(burst: 2.5), LimitsChange(burst: -3),
        LimitsChange(burst: 2_000_000), LimitsChange(burst: 1_000_001), LimitsChange(burst: .nan), LimitsChange(burst: .infinity),
        // One good value does not carry a bad one through: refused whole.
        LimitsChange(rate: 5, burst: 0.5, mode: .shadow), LimitsChange(rate: 0, burst: 10, mode: .off),
    ])
    func refusesBadValuesWhole(change: LimitsChange) {
        guard case .failure(let e) = change.applied(to: Self.base) else {
            Issue.record("accepted \(change)")
            return
        }
        #expect(e.description.hasPrefix("rate") || e.description.hasPrefix("burst"), "\(e.description)")
    }

    @Test func parsedNonFiniteNumbersAreRefusedAtValidation() throws {
        // Double("nan") and Double("inf") parse; validation must refuse them.
        for w in ["rate=nan", "rate=inf", "burst=inf", "burst=nan", "rate=-inf"] {
            let c = try LimitsChange.parse([w])
            if case .success(let l) = c.applied(to: Self.base) { Issue.record("\(w) accepted as \(l)") }
        }
    }

    @Test func acceptsBoundaryValuesAndKeepsWhatIsLeftOut() {
        #expect(LimitsChange(rate: 100_000).applied(to: Self.base) == .success(ClassLimits(rate: 100_000, burst: 30, mode: .enforce)))
        #expect(LimitsChange(rate: 0.001).applied(to: Self.base) == .success(ClassLimits(rate: 0.001, burst: 30, mode: .enforce)))
        #expect(LimitsChange(burst: 1).applied(to: Self.base) == .success(ClassLimits(rate: 2, burst: 1, mode: .enforce)))
        #expect(LimitsChange(burst: 1_000_000).applied(to: Self.base) == .success(ClassLimits(rate: 2, burst: 1_000_000, mode: .enforce)))
        #expect(LimitsChange(mode: .off).applied(to: Self.base) == .success(ClassLimits(rate: 2, burst: 30, mode: .off)))
        #expect(LimitsChange().applied(to: Self.base) == .success(Self.base))
    }

    @Test func validationOfClassLimits() {
        #expect(ClassLimits(rate: 1, burst: 1, mode: .off).problem == nil)
        #expect(ClassLimits(rate: 0, burst: 1, mode: .enforce).problem != nil)
        #expect(ClassLimits(rate: 1, burst: 1.5, mode: .enforce).problem != nil)
        for (_, l) in ThrottleLimits.defaults.classes { #expect(l.problem == nil) }
        #expect(Set(ThrottleLimits.defaults.classes.keys) == Set(RouteClass.allCases))
    }
}

@Suite struct LimitsCodecTests {
    static func hash(_ pairs: [(String, String)]) -> RedisReply {
        .array(pairs.flatMap { [RedisReply.bulk(Array($0.0.utf8)), RedisReply.bulk(Array($0.1.utf8))] })
    }

    @Test func emptyHashIsTheDefaults() {
        #expect(LimitsCodec.decode(.array([])) == .defaults)
        #expect(LimitsCodec.decode(.null) == .defaults)
    }

    @Test func writtenFieldsReadBack() {
        let limits: [RouteClass: ClassLimits] = [.state: ClassLimits(rate: 0.5, burst: 7, mode: .shadow),
                                                 .hooks: ClassLimits(rate: 100_000, burst: 1_000_000, mode: .off)]
        let f = LimitsCodec.fields(limits)
        var pairs: [(String, String)] = []
        for i in stride(from: 0, to: f.count, by: 2) { pairs.append((f[i], f[i + 1])) }
        pairs.append(("version", "12"))
        let back = LimitsCodec.decode(Self.hash(pairs))
        #expect(back[.state] == limits[.state])
        #expect(back[.hooks] == limits[.hooks])
        #expect(back[.events] == ThrottleLimits.defaults[.events])
    }

    @Test func badStoredValuesKeepTheDefaults() {
        let l = LimitsCodec.decode(Self.hash([("state.rate", "0"), ("state.burst", "0.5"), ("state.mode", "bogus"),
                                              ("events.rate", "abc"), ("nope.rate", "3"), ("hooks", "1"), ("hooks.rate", "7")]))
        #expect(l[.state] == ThrottleLimits.defaults[.state])
        #expect(l[.events] == ThrottleLimits.defaults[.events])
        #expect(l[.hooks] == ClassLimits(rate: 7, burst: 200, mode: .enforce))
    }

    @Test func jsonForm() {
        #expect(LimitsCodec.json(.defaults) ==
                #"{"state":{"rate":2,"burst":30,"mode":"enforce"},"events":{"rate":2,"burst":20,"mode":"enforce"},"hooks":{"rate":50,"burst":200,"mode":"enforce"}}"#)
        var l = ThrottleLimits.defaults
        l.classes[.state] = ClassLimits(rate: 0.25, burst: 3, mode: .shadow)
        #expect(LimitsCodec.json(l).hasPrefix(#"{"state":{"rate":0.25,"burst":3,"mode":"shadow"}"#))
    }
}

// `gateway token` (contract.md §9): what it prints verifies with the same keys; bad input is one clear
// ConfigurationError naming the flag (the CLI turns it into exit status 2).
import Testing
@testable import Gateway
import HTTPServer

@Suite struct AuthTokenCommandTests {
    static let now = AuthFixture.now

    static func run(_ args: [String], env: [String: String] = [:]) throws(ConfigurationError) -> String {
        try TokenCommand.run(arguments: args, environment: env, now: now)
    }

    @Test func printsATokenTheVerifierAccepts() throws {
        let token = try Self.run(["--jwt-keys", "k1:secret-one", "--sub", "lead:1", "--role", "attendee",
                                  "--webinar", "w1", "--session", "s1", "--lead", "l1", "--user", "u1",
                                  "--ref", "r1", "--type", "auto", "--ttl", "120"])
        let claims = try AuthFixture.verifier().verify(token: token, now: Self.now).get()
        #expect(claims == Claims(sub: "lead:1", role: .attendee, webinarID: "w1", sessionID: "s1", leadID: "l1",
                                 userID: "u1", refID: "r1", webinarType: .auto, exp: Self.now + 120, raw: claims.raw))
        #expect(claims.raw["iat"] == .number(Double(Self.now)))
    }

    @Test func defaultsAndInlineValues() throws {
        let token = try Self.run(["--jwt-keys=k1:secret-one", "--sub=a", "--role=guest"])
        let claims = try AuthFixture.verifier().verify(token: token, now: Self.now).get()
        #expect(claims.webinarType == .live)
        #expect(claims.exp == Self.now + Int64(TokenCommand.defaultTTLSeconds))
    }

    @Test func keysFromEnvironmentFirstKeyByDefaultKidToChoose() throws {
        let env = ["GATEWAY_JWT_KEYS": "k2:secret-two,k1:secret-one"]
        let verifierK1Only = JWTVerifier(keys: try JWTKeySet(["k1": "secret-one"]))
        let first = try Self.run(["--sub", "a", "--role", "system"], env: env)
        #expect(verifierK1Only.verify(token: first, now: Self.now) == .failure(.unknownKey))
        #expect((try? AuthFixture.verifier().verify(token: first, now: Self.now).get()) != nil)
        let chosen = try Self.run(["--sub", "a", "--role", "system", "--kid", "k1"], env: env)
        #expect((try? verifierK1Only.verify(token: chosen, now: Self.now).get()) != nil)
        // The flag wins over the environment.
        let flag = try Self.run(["--jwt-keys", "k1:secret-one", "--sub", "a", "--role", "system"], env: env)
        #expect((try? verifierK1Only.verify(token: flag, now: Self.now).get()) != nil)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let args: [String]
        let names: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let base = ["--jwt-keys", "k1:s"]
    static let bad: [Bad] = [
        Bad(args: ["--sub", "a", "--role", "system"], names: "--jwt-keys"),
        Bad(args: ["--jwt-keys", "nocolon", "--sub", "a", "--role", "system"], names: "--jwt-keys"),
        Bad(args: ["--jwt-keys", "k1:", "--sub", "a", "--role", "system"], names: "--jwt-keys"),
        Bad(args: base + ["--role", "system"], names: "--sub"),
        Bad(args: base + ["--sub", "a b", "--role", "system"], names: "--sub"),
        Bad(args: base + ["--sub", String(repeating: "x", count: 129), "--role", "system"], names: "--sub"),
        Bad(args: base + ["--sub", "a"], names: "--role"),
        Bad(args: base + ["--sub", "a", "--role", "admin"], names: "--role"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--webinar", "w/1"], names: "--webinar"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--session", ""], names: "--session"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--type", "recorded"], names: "--type"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--ttl", "0"], names: "--ttl"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--ttl", "ten"], names: "--ttl"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--ttl", "99999999999"], names: "--ttl"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--kid", "k9"], names: "--kid"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--sub", "b"], names: "--sub"),
        Bad(args: base + ["--sub", "a", "--role", "system", "--color", "red"], names: "--color"),
        Bad(args: base + ["--sub", "a", "--role"], names: "--role"),
    ]

    @Test(arguments: bad)
    func badValuesNameTheFlag(_ b: Bad) {
        do {
            let token = try Self.run(b.args)
            Issue.record("printed a token: \(token.prefix(10))...")
        } catch {
            #expect(error.description.contains(b.names))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func helpSaysItIsAConvenience() {
        #expect(TokenCommand.helpText.contains("development/testing convenience"))
        #expect(TokenCommand.helpText.contains("--jwt-keys"))
    }
}

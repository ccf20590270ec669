// The `gateway` executable: argument dispatch only; everything else lives in the Gateway library.
import Foundation
import Gateway
import Reactor

let version = "0.1.0"
let usage = """
usage: gateway serve [options]     run a node (see options below)
       gateway throttle show|set|reset ...   read or tune rate limits at runtime (throttle --help)
       gateway webhooks add|list|show|rm|disable|enable|rotate-secret|replay|dead ...   manage webhook subscriptions (webhooks --help)
       gateway events tail [--redis URL] [--from ID] [--count N] [--follow]   print emitted events as JSON lines
       gateway token [options]     print a signed JWT (development/testing convenience; token --help)
       gateway --version
       gateway --help

serve options (each also read from the environment variable in brackets):
\(ConfigurationLoader.helpText)
"""

/// Runs a `--redis` admin subcommand (`throttle`, `webhooks`): its usage without arguments (status 2) or
/// with --help, else what it prints; a refusal is one line and status 2.
func runAdminCommand(_ rest: [String], usage: String,
                     _ run: ([String], [String: String]) async throws(ConfigurationError) -> String) async {
    if rest.isEmpty || rest.contains("--help") || rest.contains("-h") { print(usage); exit(rest.isEmpty ? 2 : 0) }
    do {
        print(try await run(rest, ProcessInfo.processInfo.environment))
    } catch {
        fail(error.description)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("gateway: " + message + "\n").utf8))
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("missing command (try 'gateway --help')") }

switch command {
case "--help", "-h", "help":
    print(usage)
case "--version", "version":
    print("gateway \(version)")
case "serve":
    let rest = Array(args.dropFirst())
    if rest.contains("--help") { print(usage); exit(0) }
    var config: ServerConfiguration
    do {
        config = try ConfigurationLoader.load(arguments: rest, environment: ProcessInfo.processInfo.environment,
                                              cores: ProcessInfo.processInfo.activeProcessorCount)
    } catch {
        fail(error.description)
    }
    if config.jwtKeys.isEmpty {
        guard config.dev else { fail("no JWT keys: give --jwt-keys KID:SECRET (or GATEWAY_JWT_KEYS), or --dev for a made-up key") }
        let secret = DevKey.make()
        config.jwtKeys = ["dev": secret]
        Log.warning("development mode: using a made-up JWT key (tokens die with this process)", [("kid", "dev")])
        let now = WallClock.nowMillis() / 1000
        let system = JWTSigner.sign(Claims(sub: "dev-system", role: .system, exp: now + 86_400), kid: "dev", secret: secret)
        let attendee = JWTSigner.sign(Claims(sub: "dev-attendee", role: .attendee, sessionID: "dev-session", leadID: "dev-lead", exp: now + 86_400),
                                      kid: "dev", secret: secret)
        print("dev token (system, 24 h):   \(system)")
        print("dev token (attendee, 24 h): \(attendee)   [session dev-session, lead dev-lead]")
        fflush(nil)
    }
    if config.dev && !config.webhook.allowPrivate {
        // A dev node runs beside its receivers: loopback and plain-http webhook targets are allowed.
        config.webhook.allowPrivate = true
        Log.warning("development mode: webhooks may target http and loopback/private addresses (--webhook-allow-private)")
    }
    // Block SIGTERM/SIGINT before any thread starts so every thread inherits the mask; read them here.
    let signalFD: Int32
    do { signalFD = try Linux.signalFDForTermination() } catch { fail("cannot set up signal handling: \(error)") }
    signal(SIGPIPE, SIG_IGN)
    // The node as a service, driven from this thread: start it, wait here for the signal, shut it down.
    // This thread never suspends (no `await` on the serve path): the signal mask set above stays on the
    // process's main thread, so SIGTERM reaches the signalfd and never the default action.
    let node = GatewayNode(config)
    do {
        try node.start()
    } catch let error as ConfigurationError {
        fail(error.description)
    } catch {
        fail("cannot start: \(error)")
    }
    var pfd = pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)
    while true {
        if poll(&pfd, 1, -1) > 0, let sig = Linux.readSignal(signalFD) {
            Log.info("signal received; draining", [("signal", String(sig))])
            break
        }
    }
    let clean = ShutdownOnMain.run(node)
    Log.info("stopped", [("clean", String(clean))])
    exit(0)
case "token":
    let rest = Array(args.dropFirst())
    if rest.contains("--help") || rest.contains("-h") { print(TokenCommand.helpText); exit(0) }
    do {
        print(try TokenCommand.run(arguments: rest, environment: ProcessInfo.processInfo.environment,
                                   now: WallClock.nowMillis() / 1000))
    } catch {
        fail(error.description)
    }
case "events":
    let rest = Array(args.dropFirst())
    if rest.isEmpty || rest.contains("--help") { print(EventsTailCommand.usage); exit(rest.isEmpty ? 2 : 0) }
    do {
        try await EventsTailCommand.run(arguments: rest, environment: ProcessInfo.processInfo.environment) { print($0); fflush(nil) }
    } catch {
        fail(error.description)
    }
case "throttle":
    await runAdminCommand(Array(args.dropFirst()), usage: ThrottleCommand.usage, ThrottleCommand.run)
case "webhooks":
    await runAdminCommand(Array(args.dropFirst()), usage: WebhooksCommand.usage, WebhooksCommand.run)
default:
    fail("unknown command '\(command)' (try 'gateway --help')")
}

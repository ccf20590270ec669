// swift-tools-version:6.0
// The webinars long-poll gateway. No Swift package dependencies by design: Foundation, Dispatch,
// Glibc and Synchronization only; hiredis and OpenSSL come in as system library targets.
import PackageDescription

// Release builds of the hot-path modules skip dynamic exclusivity checks (swift_beginAccess was 11% of
// the instructions per request in callgrind). Debug builds — the ones the test suite runs — keep them,
// so an exclusivity violation still traps in tests.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "webinars-gateway",
    products: [
        .executable(name: "gateway", targets: ["GatewayCLI"]),
        .executable(name: "gateway-bench", targets: ["GatewayBench"]),
    ],
    targets: [
        // C modules: each is imported (`internal import`) by exactly one Swift file.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        // libcrypto + libssl (the module map links both; one importer: Sources/TLS/OpenSSL.swift).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CLinuxShims"),

        // Event loops, epoll, timers, the syscall funnel. Knows nothing of HTTP or Redis.
        .target(name: "Reactor", dependencies: ["CLinuxShims"], swiftSettings: hotPath),
        // OpenSSL 3: the gateway's crypto primitives and non-blocking client TLS on our sockets.
        .target(name: "TLS", dependencies: ["COpenSSL", "Reactor"]),
        // HTTP/1.1 bytes -> messages (RFC 9112). Knows nothing of sockets.
        .target(name: "HTTP1", swiftSettings: hotPath),
        // The HTTP/1.1 server core: connection state machine + I/O shell, listeners, drain, answer framing.
        // Knows nothing of webinars: the application plugs in through `HTTPApplication`.
        .target(name: "HTTPServer", dependencies: ["Reactor", "HTTP1"], swiftSettings: hotPath),
        // HTTP/1.1 client on the Reactor loops: keep-alive pools per origin, TLS, DNS off the loop.
        // Knows nothing of webhooks or Redis.
        .target(name: "HTTPClient", dependencies: ["Reactor", "HTTP1", "TLS"]),
        // Async Redis client on the Reactor loops. Knows nothing of HTTP.
        .target(name: "RedisStore", dependencies: ["CHiredis", "Reactor"], swiftSettings: hotPath),
        .target(name: "Throttle", dependencies: ["RedisStore"]),
        .target(name: "Gateway", dependencies: ["HTTPServer", "HTTPClient", "Reactor", "HTTP1", "RedisStore", "Throttle", "TLS"], swiftSettings: hotPath),
        .executableTarget(name: "GatewayCLI", dependencies: ["Gateway"]),
        // Our own long-poll load tool (loopback only, bounded runs).
        .executableTarget(name: "GatewayBench", dependencies: ["Gateway", "Reactor"]),

        // Shared by the test targets (a plain target, not a test target): the one wait helper
        // (`eventually`/`retrying`), the raw-socket TestClient, Counter, the throwaway
        // TestPKI (openssl CLI via Reactor's `Linux.spawn`). Foundation, Glibc and Reactor only.
        .target(name: "GatewayTestSupport", dependencies: ["Reactor"], path: "Tests/TestSupport", exclude: ["test_server.py", "webhook_receiver.py", "webhook_fault_receiver.py"]),

        // Unit tests: no redis-server, in-process only; `swift test --skip Integration` runs these alone.
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor", "GatewayTestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTP1", "Reactor"]),
        .testTarget(name: "RedisStoreTests", dependencies: ["RedisStore"]),
        .testTarget(name: "ThrottleTests", dependencies: ["Throttle"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "HTTPServer", "HTTP1", "Reactor", "GatewayTestSupport"]),
        // Integration tests: each starts its own redis-server (and gateway nodes). Every name contains
        // "Integration", so `--skip Integration` leaves them all out.
        .testTarget(name: "RedisStoreIntegrationTests", dependencies: ["RedisStore", "Reactor", "GatewayTestSupport"]),
        // Starts `openssl s_server` processes: client TLS against a real server over a Reactor loop.
        .testTarget(name: "TLSIntegrationTests", dependencies: ["TLS", "Reactor", "GatewayTestSupport"]),
        // Starts a Python HTTP(S) test server: the client against real sockets on a Reactor loop.
        .testTarget(name: "HTTPClientIntegrationTests", dependencies: ["HTTPClient", "HTTP1", "Reactor", "TLS", "GatewayTestSupport"]),
        .testTarget(name: "GatewayIntegrationTests",
                    dependencies: ["Gateway", "HTTPServer", "HTTP1", "Reactor", "RedisStore", "Throttle", "GatewayTestSupport"]),
    ]
)

// A throwaway PKI made with the `openssl` CLI at test time, in a fresh temp directory: a self-signed
// CA and a server certificate signed by it, for DNS:localhost and IP:127.0.0.1 unless other names are
// asked for (a certificate for another host, for the wrong-host-name tests). Nothing is trusted
// system-wide (shared by the TLS and HTTP client integration tests). Child processes run through `Linux.spawn` (clean signal mask) and are waited for.
import Foundation
import Glibc
import Reactor

/// Runs `openssl` subcommands; locates the binary on PATH.
public enum OpenSSLCLI {
    /// The `openssl` executable, or nil when it is not installed (`scripts/setup` installs it).
    public static let path: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public static var available: Bool { path != nil }

    /// Starts `openssl arguments…` with stdout and stderr into `log`.
    /// - Throws: `IOError` when the CLI is missing or cannot be started.
    public static func start(_ arguments: [String], log: String) throws -> Int32 {
        guard let path else { throw IOError(errno: ENOENT, reason: "openssl CLI not found on PATH") }
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError(errno: errno, reason: "open \(log)") }
        defer { close(fd) }
        return try Linux.spawn(path, ["openssl"] + arguments, stdoutFD: fd)
    }

    /// Runs `openssl arguments…` to completion.
    /// - Throws: `IOError` when it cannot start or exits non-zero (the log names why).
    public static func run(_ arguments: [String], log: String) throws {
        let pid = try start(arguments, log: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw IOError(errno: 0, reason: "openssl \(arguments.first ?? "") failed; see \(log)") }
    }
}

/// A CA and a server certificate (by default for `localhost`/127.0.0.1) in a temp directory (removed by `remove()`).
public struct TestPKI {
    public let directory: String
    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var log: String { directory + "/openssl.log" }

    /// Certificates valid for this many days (the tests use them within seconds).
    public static let validityDays = 2
    /// RSA key size in bits (2048: accepted at Debian's default security level 2).
    public static let rsaKeyBits = 2048

    /// Generates the CA and the server certificate.
    /// - Parameters:
    ///   - commonName: the server certificate's subject CN.
    ///   - subjectAltName: its names, in `openssl`'s form (`DNS:name,IP:address`).
    /// - Throws: when the temp directory or any `openssl` step fails.
    public init(commonName: String = "localhost", subjectAltName: String = "DNS:localhost,IP:127.0.0.1") throws {
        let template = NSTemporaryDirectory() + "tls-pki-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw IOError(errno: errno, reason: "mkdtemp") }
        directory = String(cString: made)
        let d = directory
        let key = "rsa:\(Self.rsaKeyBits)"
        let days = "\(Self.validityDays)"
        try OpenSSLCLI.run(["req", "-x509", "-newkey", key, "-nodes", "-keyout", d + "/ca.key", "-out", caCertificate,
                            "-days", days, "-subj", "/CN=Gateway Test CA"], log: log)
        try OpenSSLCLI.run(["req", "-newkey", key, "-nodes", "-keyout", serverKey, "-out", d + "/server.csr",
                            "-subj", "/CN=\(commonName)"], log: log)
        try "subjectAltName=\(subjectAltName)\nbasicConstraints=CA:FALSE\n"
            .write(toFile: d + "/server.ext", atomically: true, encoding: .utf8)
        try OpenSSLCLI.run(["x509", "-req", "-in", d + "/server.csr", "-CA", caCertificate, "-CAkey", d + "/ca.key",
                            "-CAcreateserial", "-out", serverCertificate, "-days", days,
                            "-extfile", d + "/server.ext"], log: log)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

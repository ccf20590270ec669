import Testing
@testable import HTTP1

@Suite("Byte scanning")
struct ByteScanTests {
    @Test func tcharTableMatchesRFC9110() {
        let specials = Set("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let isAlpha = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            let isDigit = (0x30...0x39).contains(byte)
            #expect(ByteScan.isTchar(byte) == (isAlpha || isDigit || specials.contains(byte)), "byte \(value)")
        }
    }

    @Test func lowerOnlyTouchesUppercaseLetters() {
        for value in 0...255 {
            let byte = UInt8(value)
            let expected = (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
            #expect(ByteScan.lower(byte) == expected)
        }
    }

    @Test func wordScansMatchByteScans() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x0A, 0x0D, 0x09, 0x00, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xA0, 0xFF]
        for _ in 0..<3000 {
            let count = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<count).map { _ in UInt8(ascii: "a") }
            for _ in 0..<Int.random(in: 0...3, using: &generator) where count > 0 {
                bytes[Int.random(in: 0..<count, using: &generator)] = alphabet.randomElement(using: &generator) ?? 0
            }
            let from = count == 0 ? 0 : Int.random(in: 0...count, using: &generator)
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                let lf = ByteScan.firstLF(base, from: from, to: count)
                #expect(lf == bytes[from...].firstIndex(of: 0x0A))
                let control = ByteScan.firstControl(base, from: from, to: count)
                #expect(control == (bytes[from...].firstIndex { $0 < 0x20 || $0 == 0x7F } ?? count), "\(bytes) from \(from)")
            }
        }
    }
}

import Testing
@testable import HoistBuild

/// EXPOSE words as BuildKit's nat.ParsePortSpecs reads them.
struct ExposedPortsTests {
    static let cases: [(String, [String])] = [
        ("80", ["80/tcp"]),
        ("53/UDP", ["53/udp"]),
        ("8000-8002", ["8000/tcp", "8001/tcp", "8002/tcp"]),
        ("7000-7001/udp", ["7000/udp", "7001/udp"]),
        ("9-9/sctp", ["9/sctp"]),
    ]

    @Test(arguments: cases)
    func portsAndRangesBecomeOneKeyEach(word: String, expected: [String]) throws {
        #expect(try ExposedPorts.ports(word) == expected)
    }

    @Test(arguments: ["9000-8000", "80-x/tcp", "-5", "70000-70001"])
    func aBadRangeIsRefusedWithTheWord(word: String) {
        #expect { _ = try ExposedPorts.ports(word) } throws: { "\($0)".contains("EXPOSE \(word): a port range") }
    }
}

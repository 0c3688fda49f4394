/// EXPOSE's words as BuildKit reads them (`nat.ParsePortSpecs`): `80` is `80/tcp`, the protocol is
/// lowercased, and a range `8000-8002/udp` is each of its ports.
enum ExposedPorts {
    /// The ports one EXPOSE word names, as `PORT/PROTO` keys of the config's ExposedPorts.
    /// Throws `ExposedPortsError` for a range that is not two port numbers in order.
    static func ports(_ word: String) throws -> [String] {
        let lowered = word.lowercased()
        let parts = lowered.split(separator: "/", maxSplits: 1).map(String.init)
        let numbers = parts.first ?? "", proto = parts.count > 1 ? parts[1] : "tcp"
        let bounds = numbers.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return ["\(numbers)/\(proto)"] }
        guard let first = UInt16(bounds[0]), let last = UInt16(bounds[1]), first <= last else {
            throw ExposedPortsError.badRange(word)
        }
        return (first...last).map { "\($0)/\(proto)" }
    }
}

enum ExposedPortsError: Error, CustomStringConvertible {
    case badRange(String)

    var description: String {
        switch self {
        case let .badRange(word): "EXPOSE \(word): a port range is FIRST-LAST with FIRST ≤ LAST, both from 0 to 65535 (8000-8010/tcp)"
        }
    }
}

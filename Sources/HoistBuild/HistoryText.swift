import HoistDockerfile
import HoistOCI

/// `created_by` texts as BuildKit writes them: values after expansion, and Go's formatting where
/// BuildKit prints a Go value (EXPOSE's and VOLUME's slices, HEALTHCHECK's struct with `%q`).
enum HistoryText {
    static func pairs(_ keyword: String, _ pairs: [(String, String)]) -> String {
        ([keyword] + pairs.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
    }

    /// `EXPOSE [443/tcp 80/tcp]`: BuildKit 0.25 prints the sorted port list (0.13 printed a Go map).
    static func expose(_ ports: [String]) -> String {
        "EXPOSE [" + Set(ports).sorted().joined(separator: " ") + "]"
    }

    static func volume(_ paths: [String]) -> String {
        "VOLUME [" + paths.joined(separator: " ") + "]"
    }

    /// `HEALTHCHECK &{["CMD-SHELL" "…"] "30s" "5s" "0s" "0s" '\x03'}`: fmt's `%q` on the config struct.
    static func healthcheck(_ config: HealthConfig) -> String {
        let test = "[" + (config.test ?? []).map(GoQuote.quote).joined(separator: " ") + "]"
        let durations = [config.interval, config.timeout, config.startPeriod, config.startInterval]
            .map { GoQuote.quote(goDuration($0 ?? 0)) }
        return "HEALTHCHECK &{" + ([test] + durations + [quoteRune(config.retries ?? 0)]).joined(separator: " ") + "}"
    }

    /// COPY/ADD as BuildKit records them: --chown and --chmod kept, --from, --link and the rest
    /// dropped, sources and destination expanded, heredocs as `<<NAME`.
    static func copy(_ keyword: String, chown: String?, chmod: String?, sources: [String], destination: String) -> String {
        var words = [keyword]
        if let chown { words.append("--chown=\(chown)") }
        if let chmod { words.append("--chmod=\(chmod)") }
        return (words + sources + [destination]).joined(separator: " ") + " # buildkit"
    }

    /// Go's `time.Duration.String()`.
    static func goDuration(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let n = nanoseconds.magnitude
        var out: String
        if n < 1_000 {
            out = "\(n)ns"
        } else if n < 1_000_000 {
            out = decimal(n, 1_000) + "µs"
        } else if n < 1_000_000_000 {
            out = decimal(n, 1_000_000) + "ms"
        } else {
            let hours = n / 3_600_000_000_000
            let minutes = (n / 60_000_000_000) % 60
            let seconds = decimal(n % 60_000_000_000, 1_000_000_000) + "s"
            out = hours > 0 ? "\(hours)h\(minutes)m\(seconds)" : (minutes > 0 ? "\(minutes)m\(seconds)" : seconds)
        }
        return negative ? "-" + out : out
    }

    /// `value / unit` with the fraction's trailing zeros trimmed (`1500, 1000` → `1.5`).
    private static func decimal(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit, fraction = value % unit
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// Go's `%q` on an int: a quoted rune (`'\x04'`, `'A'`).
    private static func quoteRune(_ value: Int) -> String {
        let quoted = GoQuote.quote(String(UnicodeScalar(UInt32(clamping: max(0, value))) ?? "\u{FFFD}"))
        let inner = quoted.dropFirst().dropLast().replacingOccurrences(of: "\\\"", with: "\"")
        return "'" + (inner == "'" ? "\\'" : inner) + "'"
    }
}

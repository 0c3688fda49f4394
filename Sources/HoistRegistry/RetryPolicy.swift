import Foundation

/// When to try a request again: connection errors, 408, 429 and 5xx, with exponential backoff and
/// jitter, honouring `Retry-After` up to a limit; attempts are bounded.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A registry asking to wait longer than this (a quota, not a hiccup) is not waited for.
    public var maxRetryAfter: Double

    public init(attempts: Int = 5, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 60) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// `HOIST_RETRY_BASE_MS` shortens the waits (the fault tests use it).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> RetryPolicy {
        var policy = RetryPolicy()
        if let ms = environment["HOIST_RETRY_BASE_MS"].flatMap(Double.init) { policy.baseDelay = ms / 1000; policy.maxDelay = ms * 8 / 1000 }
        return policy
    }

    static func isRetryable(_ status: Int) -> Bool { status == 408 || status == 429 || (500...599).contains(status) && status != 501 }

    /// Seconds to wait before attempt `attempt + 1`, or nil when no attempt is left.
    func delay(after attempt: Int, retryAfter: Double?) -> Double? {
        guard attempt < attempts else { return nil }
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let exponential = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return exponential * Double.random(in: 0.5...1.0)
    }

    /// `Retry-After: 120` or an HTTP date.
    static func retryAfter(_ header: String?) -> Double? {
        guard let header else { return nil }
        if let seconds = Double(header.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }
}

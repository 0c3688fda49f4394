import Foundation
import HoistOCI

/// One blob moving between the local store and a registry, as a progress view sees it.
public struct TransferEvent: Sendable, Equatable {
    public enum Direction: Sendable, Equatable { case download, upload }
    public var direction: Direction
    public var digest: Digest
    /// The blob's size in bytes, from its descriptor.
    public var total: Int64
    /// Bytes transferred so far.
    public var current: Int64
    public var done: Bool
}

/// Called once per transfer, before its first byte, in the task that asked for it (so a caller's
/// task-local context is visible). It returns where the transfer's later events go (from any
/// thread: curl's), or nil to ignore this transfer.
public typealias TransferObserver = @Sendable (TransferEvent) -> (@Sendable (TransferEvent) -> Void)?

/// A body sink that passes bytes on and reports how many have arrived, at most ten times a second.
final class MeteredSink: BodySink, @unchecked Sendable {
    private let inner: BodySink
    private let update: @Sendable (TransferEvent) -> Void
    private var event: TransferEvent
    private var lastReport = Date.distantPast

    init(_ inner: BodySink, event: TransferEvent, update: @escaping @Sendable (TransferEvent) -> Void) {
        self.inner = inner
        self.event = event
        self.update = update
    }

    func begin(status: Int) throws {
        // A whole body (200) after a Range request starts the count again, as the writer does.
        if status == 200 { event.current = 0 }
        try inner.begin(status: status)
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.receive(bytes)
        event.current += Int64(bytes.count)
        let now = Date()
        if now.timeIntervalSince(lastReport) >= 0.1 {
            lastReport = now
            update(event)
        }
    }
}

import Foundation
import Testing
@testable import HoistLayers

/// Layer index files now also come from build caches of other machines: hostile bytes are refused, never a crash.
struct LayerIndexFileTests {
    func int(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    @Test func hostileLengthsAndCountsAreRefused() {
        let magic = LayerIndexFile.magic
        #expect(LayerIndexFile.decode(magic + int(1) + int(Int64.max - 4) + [0]) == nil, "a path length that would overflow")
        #expect(LayerIndexFile.decode(magic + int(Int64.max)) == nil, "an entry count no file could hold")
        #expect(LayerIndexFile.decode(magic + int(0) + int(0) + int(0) + int(Int64(Int32.max))) == nil, "a set count no file could hold")
        #expect(LayerIndexFile.decode(magic + int(0) + int(0) + int(0) + int(0)) != nil, "an empty index still reads")
    }
}

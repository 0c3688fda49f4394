import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistLayers

/// A view over three layers built here:
///   0: etc/passwd, etc/wh/{a,b}, opt/opq/{x,y}, bin/busybox, bin/sh -> busybox, abs -> /etc
///   1: etc/wh/.wh.a, opt/opq/.wh..wh..opq, opt/opq/z
///   2: etc/passwd (replaced), escape -> ../../../../etc
struct FilesystemViewTests {
    let work: TempDirectory
    let store: ContentStore
    let layers: [FilesystemView.Layer]

    init() throws {
        let work = try TempDirectory("hoist-view")
        let store = try ContentStore(root: URL(fileURLWithPath: work.path + "/store"))
        func file(_ path: String, _ body: String) throws -> LayerEntry {
            let source = try work.file("src/\(UUID().uuidString)", body)
            return LayerEntry(path: path, kind: .file(source: source, size: Int64(body.utf8.count)), mode: 0o644, mtime: 0)
        }
        func dir(_ path: String) -> LayerEntry { LayerEntry(path: path, kind: .directory, mode: 0o755, mtime: 0) }
        func link(_ path: String, _ target: String) -> LayerEntry { LayerEntry(path: path, kind: .symlink(target: target), mode: 0o777, mtime: 0) }
        let stacks: [[LayerEntry]] = [
            [dir("etc"), try file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), dir("etc/wh"), try file("etc/wh/a", "a"), try file("etc/wh/b", "b"),
             dir("opt"), dir("opt/opq"), try file("opt/opq/x", "x"), try file("opt/opq/y", "y"), dir("bin"), try file("bin/busybox", "BUSYBOX"),
             link("bin/sh", "busybox"), link("abs", "/etc")],
            [try file("etc/wh/.wh.a", ""), try file("opt/opq/.wh..wh..opq", ""), try file("opt/opq/z", "z")],
            [try file("etc/passwd", "app:x:1000:1000::/home/app:/bin/sh\n"), link("escape", "../../../../etc")],
        ]
        var layers: [FilesystemView.Layer] = []
        for entries in stacks {
            let built = try LayerBuilder.write(entries, into: store)
            let path = store.path(for: built.descriptor.digest)
            layers.append(FilesystemView.Layer(descriptor: built.descriptor) { path })
        }
        self.work = work
        self.store = store
        self.layers = layers
    }

    @Test func topLayerWinsAndOnlyTheLayersNeededAreRead() async throws {
        let view = FilesystemView(layers: layers, cache: LayerIndexCache())
        let passwd = try #require(try await view.entry(at: "/etc/passwd"))
        #expect(passwd.layer == 2)
        #expect(await view.layersRead == 1)
        let bytes = try #require(try await view.readFile("/etc/passwd", scratch: work.path))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("app:"))
    }

    @Test func aPersistedIndexReadsBackAsItWasAndAPersistedViewNeedsNoLayer() async throws {
        for layer in layers {
            let index = try LayerIndex(reading: try await layer.blobPath())
            let bytes = LayerIndexFile.encode(index)
            #expect(LayerIndexFile.decode(bytes) == index)
            #expect(LayerIndexFile.decode(Array(bytes.dropLast())) == nil, "a cut-off file is no index")
        }
        // A second cache over the same directory answers from the files: no layer is read again.
        let directory = work.path + "/indexes"
        _ = try await FilesystemView(layers: layers, cache: LayerIndexCache(directory: directory)).walk("etc")
        let unreadable = layers.map { layer in
            FilesystemView.Layer(descriptor: layer.descriptor) { throw LayerError.io(path: "layer", message: "must not be read") }
        }
        let view = FilesystemView(layers: unreadable, cache: LayerIndexCache(directory: directory))
        #expect(try await view.walk("etc/wh").map(\.header.path) == ["etc/wh/b"])
    }

    @Test func whiteoutsDeleteAndOpaqueDirectoriesHide() async throws {
        let view = FilesystemView(layers: layers, cache: LayerIndexCache())
        #expect(try await view.entry(at: "etc/wh/a") == nil)
        #expect(try await view.entry(at: "etc/wh/b")?.layer == 0)
        #expect(try await view.entry(at: "opt/opq/x") == nil)
        #expect(try await view.walk("opt/opq").map(\.header.path) == ["opt/opq/z"])
        #expect(try await view.walk("etc/wh").map(\.header.path) == ["etc/wh/b"])
    }

    @Test func symlinksResolveInsideTheRoot() async throws {
        let view = FilesystemView(layers: layers, cache: LayerIndexCache())
        let sh = try #require(try await view.resolve("/bin/sh"))
        #expect(sh.path == "bin/busybox")
        let viaAbsolute = try #require(try await view.resolve("/abs/passwd"))
        #expect(viaAbsolute.path == "etc/passwd" && viaAbsolute.found.layer == 2)
        let escaped = try #require(try await view.resolve("/escape/passwd"))
        #expect(escaped.path == "etc/passwd", "../ beyond the root stays at the root")
        let unfollowed = try #require(try await view.resolve("/bin/sh", followLast: false))
        #expect(unfollowed.found.header.kind == .symlink(target: "busybox"))
    }

    @Test func bodiesComeFromTheLayerThatHoldsThem() async throws {
        let view = FilesystemView(layers: layers, cache: LayerIndexCache())
        let found = try await view.walk("").filter { $0.header.kind == .file }
        let staged = try await view.extractBodies(found, into: work.path)
        #expect(Set(staged.keys) == ["etc/passwd", "etc/wh/b", "opt/opq/z", "bin/busybox"])
        #expect(try String(contentsOfFile: staged["bin/busybox"]!, encoding: .utf8) == "BUSYBOX")
        #expect(try String(contentsOfFile: staged["etc/passwd"]!, encoding: .utf8).hasPrefix("app:"))
    }
}

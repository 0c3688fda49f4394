import ArgumentParser
import Foundation
import HoistBuild
import HoistOCI

/// `hoist copy SRC DST`, as `skopeo copy`: docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG].
struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy an image between registries, OCI layouts and oci-archive tarballs, digests unchanged.")

    @Flag(help: "Copy every platform of an index, and the index itself.")
    var all = false

    @OptionGroup var platform: PlatformOption

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "Source: docker://REF, oci:DIR[:TAG] or oci-archive:FILE[:TAG].")
    var source: String

    @Argument(help: "Destination, in the same forms.")
    var destination: String

    func run() async throws {
        try await reportingFailure {
            let from = try ImageLocation(parsing: source)
            let to = try ImageLocation(parsing: destination)
            let copier = ImageCopier(registry: try registry.client()) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            let digest = try await copier.copy(from: from, to: to, platform: try platform.value(), all: all)
            print(digest)
        }
    }
}

import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistOCI

/// `hoist images`: what the local store keeps (from `hoist pull` and builds without an output).
struct Images: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the images kept in the local store.")

    func run() throws {
        let images = LocalImages(root: HoistPaths.root()).list()
        print("NAME\tDIGEST\tMANIFEST SIZE")
        for image in images {
            print("\(image.annotations?[OCILayout.refNameAnnotation] ?? "<none>")\t\(image.digest)\t\(image.size)")
        }
    }
}

/// `hoist push REF [DEST]`: a kept image to a registry.
struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push an image kept in the local store to a registry.")

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The kept image's name.")
    var reference: String

    @Argument(help: "Where to push it (default: its own name).")
    var destination: String?

    func run() async throws {
        try await reportingFailure {
            let client = try registry.client()
            let ref = try ImageArgument(reference).reference
            let kept = try LocalImages(root: client.store.root).kept(ref)
            let target = try destination.map { try ImageArgument($0).reference } ?? ref
            let copier = ImageCopier(registry: client) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            print(try await copier.copy(from: kept, to: .registry(target.withDefaultTag)))
        }
    }
}

/// `hoist save REF -o FILE [--format docker|oci]`: a kept image as a tarball.
struct Save: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write an image kept in the local store to a tarball (docker load or OCI).")

    @Option(name: .shortAndLong, help: "The tarball to write.")
    var output: String

    @Option(help: "docker (for docker load, the default) or oci.")
    var format: String = "docker"

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The kept image's name.")
    var reference: String

    func run() async throws {
        try await reportingFailure {
            let client = try registry.client()
            let ref = try ImageArgument(reference).reference
            let kept = try LocalImages(root: client.store.root).kept(ref)
            switch format {
            case "docker": try await DockerArchiveExporter(registry: client).save(from: kept, tags: [ref.withDefaultTag], to: output)
            case "oci": try await ImageCopier(registry: client).copy(from: kept, to: .archive(path: output, tag: ref.withDefaultTag.tag))
            default: throw ValidationError("--format \(format): use docker or oci")
            }
        }
    }
}

/// `hoist rmi REF`: forget a kept image's name (its blobs stay in the store).
struct Rmi: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove an image's name from the local store.")

    @Argument(help: "The kept image's name.")
    var reference: String

    func run() throws {
        try reportingFailure {
            let ref = try ImageArgument(reference).reference
            guard try LocalImages(root: HoistPaths.root()).remove(ref) else { throw LocalImageError.notKept(ref.withDefaultTag.description) }
            print("Untagged: \(ref.withDefaultTag)")
        }
    }
}

extension LocalImages {
    /// Where a kept image is, for copying out of the store; an error names an image that is not kept.
    func kept(_ reference: Reference) throws -> ImageLocation {
        guard find(reference) != nil else { throw LocalImageError.notKept(reference.withDefaultTag.description) }
        return location(of: reference)
    }
}

enum LocalImageError: Error, CustomStringConvertible {
    case notKept(String)

    var description: String {
        switch self {
        case let .notKept(name): "\(name) is not in the local store (see hoist images)"
        }
    }
}

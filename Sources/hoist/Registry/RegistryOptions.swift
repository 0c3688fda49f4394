import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistOCI
import HoistRegistry

/// Flags every command that talks to registries shares.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("registries-conf"), help: "containers-registries.conf(5) file (default: $HOIST_REGISTRIES_CONF, $CONTAINERS_REGISTRIES_CONF, ~/.config/containers/registries.conf, /etc/containers/registries.conf).")
    var registriesConf: String?

    @Option(name: .customLong("insecure-registry"), help: "Allow plain HTTP and unverified TLS for this host (repeatable).")
    var insecureRegistry: [String] = []

    func client(credentials: CredentialStore = CredentialStore()) throws -> RegistryClient {
        RegistryClient(conf: try RegistriesConf.load(explicitPath: registriesConf), store: try ContentStore(root: HoistPaths.root()),
                       credentials: credentials, insecureHosts: Set(insecureRegistry))
    }
}

/// `--platform` for commands that pick one image out of an index.
struct PlatformOption: ParsableArguments {
    @Option(help: "The platform to use from an index (default: this machine's).")
    var platform: String?

    func value() throws -> Platform { try platform.map(Platform.init(parsing:)) ?? .host }
}

/// An image argument as docker and skopeo take it: `REF` or `docker://REF`.
struct ImageArgument {
    let reference: Reference
    /// No registry was named, so registries.conf's search list and aliases apply.
    let shortName: Bool

    init(_ text: String) throws {
        let bare = text.hasPrefix("docker://") ? String(text.dropFirst("docker://".count)) : text
        reference = try Reference(parsing: bare)
        shortName = EndpointResolver.isShortName(bare)
    }
}

/// The image a registry command reads (`hoist pull`, `hoist inspect`): its name, the platform to
/// pick from an index, and the registry flags.
struct RemoteImageOptions: ParsableArguments {
    @OptionGroup var platform: PlatformOption

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The image: REF or docker://REF, e.g. busybox:latest or ghcr.io/owner/app@sha256:…")
    var reference: String

    /// A client, the parsed argument, and the image resolved for the platform.
    func resolve() async throws -> (RegistryClient, ImageArgument, ResolvedImage) {
        let client = try registry.client()
        let argument = try ImageArgument(reference)
        let image = try await client.resolve(argument.reference, shortName: argument.shortName, platform: try platform.value())
        return (client, argument, image)
    }
}

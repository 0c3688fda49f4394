import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
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

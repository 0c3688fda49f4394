import HoistOCI
import Testing
@testable import HoistRegistry

struct RegistriesConfTests {
    let text = """
        # comment
        unqualified-search-registries = ["docker.io", "quay.io"]

        [[registry]]
        prefix = "docker.io"
        location = "127.0.0.1:5000"   # the loopback registry
        insecure = true

        [[registry.mirror]]
        location = "mirror.example:5000"

        [[registry]]
        prefix = "docker.io/library/blocked"
        location = "nowhere"
        blocked = true

        [[registry]]
        location = 'quay.io'

        """

    @Test func parsesRegistriesMirrorsAndSearchList() throws {
        let conf = try RegistriesConf(parsing: text, source: "test.conf")
        #expect(conf.unqualifiedSearchRegistries == ["docker.io", "quay.io"])
        #expect(conf.registries.count == 3)
        #expect(conf.registries[0].mirrors == [RegistriesConf.Mirror(location: "mirror.example:5000", insecure: false)])
        #expect(conf.registries[2].prefix == "quay.io")
    }

    @Test func dockerHubNamesGoToTheConfiguredLocationMirrorsFirst() throws {
        let resolver = EndpointResolver(conf: try RegistriesConf(parsing: text, source: "test.conf"))
        let endpoints = try resolver.pullEndpoints(for: try Reference(parsing: "busybox:latest"), shortName: false)
        #expect(endpoints == [Endpoint(host: "mirror.example:5000", repository: "library/busybox", insecure: false),
                              Endpoint(host: "127.0.0.1:5000", repository: "library/busybox", insecure: true)])
        #expect(try resolver.pushEndpoint(for: try Reference(parsing: "demo/app:1")) == Endpoint(host: "127.0.0.1:5000", repository: "demo/app", insecure: true))
    }

    @Test func shortNamesTryEverySearchRegistry() throws {
        let resolver = EndpointResolver(conf: try RegistriesConf(parsing: text, source: "test.conf"))
        let endpoints = try resolver.pullEndpoints(for: try Reference(parsing: "busybox"), shortName: true)
        #expect(endpoints.map(\.description) == ["mirror.example:5000/library/busybox", "127.0.0.1:5000/library/busybox", "quay.io/busybox"])
        #expect(EndpointResolver.isShortName("user/app") && !EndpointResolver.isShortName("localhost/app") && !EndpointResolver.isShortName("a.io/b"))
    }

    @Test func shortNameAliasesPointAtOneRepository() throws {
        let conf = try RegistriesConf(parsing: text + "\n[aliases]\n\"app\" = \"quay.io/team/app\"\n", source: "test.conf")
        let resolver = EndpointResolver(conf: conf)
        #expect(try resolver.pullEndpoints(for: try Reference(parsing: "app:1"), shortName: true).map(\.description) == ["quay.io/team/app"])
        #expect(try resolver.pullEndpoints(for: try Reference(parsing: "docker.io/library/app"), shortName: false).map(\.description)
            == ["mirror.example:5000/library/app", "127.0.0.1:5000/library/app"], "a qualified name ignores aliases")
    }

    @Test func blockedPrefixIsRefusedWithTheFileName() throws {
        let resolver = EndpointResolver(conf: try RegistriesConf(parsing: text, source: "test.conf"))
        do {
            _ = try resolver.pullEndpoints(for: try Reference(parsing: "blocked"), shortName: false)
            Issue.record("a blocked registry was used")
        } catch {
            #expect("\(error)".contains("blocked by test.conf"))
        }
    }

    @Test func syntaxErrorsNameFileAndLine() {
        do {
            _ = try RegistriesConf(parsing: "[[registry]]\nlocation = unquoted\n", source: "bad.conf")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".hasPrefix("bad.conf:2:"))
        }
    }

    /// Valid TOML that MiniTOML refused ("unsupported value"): mirrors as an inline-table array.
    @Test func inlineTableMirrorsAreRead() throws {
        let conf = try RegistriesConf(parsing: """
            [[registry]]
            prefix = "docker.io"
            location = "registry-1.docker.io"
            mirror = [ { location = "mirror.example:5000", insecure = true }, { location = "second.example" } ]
            """, source: "inline.conf")
        #expect(conf.registries[0].mirrors == [RegistriesConf.Mirror(location: "mirror.example:5000", insecure: true),
                                               RegistriesConf.Mirror(location: "second.example", insecure: false)])
        #expect(conf.isInsecure(host: "mirror.example:5000") && !conf.isInsecure(host: "second.example"))
    }

    /// The version 1 format podman still reads: search, insecure and block lists.
    @Test func version1FilesAreRead() throws {
        let conf = try RegistriesConf(parsing: """
            [registries.search]
            registries = ['docker.io', "quay.io"]
            [registries.insecure]
            registries = ['localhost:5000']
            [registries.block]
            registries = ['evil.example', 'localhost:5000']
            """, source: "v1.conf")
        #expect(conf.unqualifiedSearchRegistries == ["docker.io", "quay.io"])
        #expect(conf.registries == [RegistriesConf.Registry(prefix: "localhost:5000", location: "localhost:5000", insecure: true, blocked: true, mirrors: []),
                                    RegistriesConf.Registry(prefix: "evil.example", location: "evil.example", insecure: false, blocked: true, mirrors: [])])
        let resolver = EndpointResolver(conf: conf)
        #expect { _ = try resolver.pullEndpoints(for: try Reference(parsing: "evil.example/x"), shortName: false) } throws: {
            "\($0)".contains("blocked by v1.conf")
        }
    }

    /// containers/image counts the version 1 tables only when a list has entries.
    @Test func emptyVersion1TablesBesideVersion2AreIgnored() throws {
        let conf = try RegistriesConf(parsing: "unqualified-search-registries = ['docker.io']\n[registries.insecure]\nregistries = []\n", source: "empty-v1.conf")
        #expect(conf.unqualifiedSearchRegistries == ["docker.io"] && conf.registries.isEmpty)
    }

    static let refusals: [(String, String)] = [
        ("[registries.search]\nregistries = ['a.io']\n[[registry]]\nlocation = 'b.io'\n",
         "mixed.conf: [registries.*] is the version 1 format and registry version 2"),
        ("[[registry]]\nlocation = 'a.io'\ninsecure = 'yes'\n", "mixed.conf: registry[0].insecure must be true or false"),
        ("unqualified-search-registries = 'docker.io'\n", "mixed.conf: unqualified-search-registries must be an array of strings"),
        ("[[registry]]\nlocation = 'a.io'\nmirror = 'b.io'\n", "mixed.conf: registry[0].mirror must be an array of tables"),
    ]

    @Test(arguments: refusals)
    func filesThatCannotBeReadAsMeantAreRefusedNamingTheKey(text: String, message: String) {
        #expect { _ = try RegistriesConf(parsing: text, source: "mixed.conf") } throws: { "\($0)".hasPrefix(message) }
    }

    @Test func loopbackHostsAreRecognised() {
        #expect(Endpoint.isLoopback(host: "127.0.0.1:5000") && Endpoint.isLoopback(host: "localhost") && Endpoint.isLoopback(host: "[::1]:5000"))
        #expect(!Endpoint.isLoopback(host: "registry.example:5000"))
    }
}

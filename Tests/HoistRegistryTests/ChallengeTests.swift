import Testing
@testable import HoistRegistry

struct ChallengeTests {
    @Test func bearerChallengeWithQuotedCommas() throws {
        let c = try #require(Challenge(header: #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#))
        #expect(c.scheme == "bearer")
        #expect(c.parameters == ["realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull,push"])
    }

    @Test func basicChallenge() throws {
        let c = try #require(Challenge(header: #"Basic realm="Registry Realm""#))
        #expect(c.scheme == "basic" && c.parameters["realm"] == "Registry Realm")
    }
}

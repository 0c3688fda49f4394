// swift-tools-version:6.0
// libFuzzer over Hoist's Dockerfile parser. Build and run (see docs/fuzzing.md):
//   swift build -c release --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   .build-fuzz/release/DockerfileFuzzer -max_total_time=600 -rss_limit_mb=2048 -timeout=5 Fuzz/corpus
import PackageDescription

let package = Package(
    name: "HoistFuzz",
    dependencies: [.package(name: "Hoist", path: "..")],
    targets: [
        .executableTarget(name: "DockerfileFuzzer", dependencies: [.product(name: "HoistDockerfile", package: "Hoist")]),
    ]
)

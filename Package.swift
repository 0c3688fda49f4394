// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Hoist",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hoist", targets: ["hoist"]),
        // For the fuzzer package in Fuzz/, which builds the parser with -sanitize=fuzzer.
        .library(name: "HoistDockerfile", targets: ["HoistDockerfile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C bridges: module map + shim header each; the Debian -dev package provides the library.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystem"),
        .systemLibrary(name: "CIsal", providers: [.apt(["libisal-dev"])]),

        .target(name: "HoistOCI", dependencies: ["CCrypto"]),
        .target(name: "HoistDockerfile"),
        .target(name: "HoistRegistry", dependencies: ["HoistOCI", "HoistContent", "CCurl", .product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "HoistContent", dependencies: ["HoistOCI"]),
        .target(name: "HoistLayers", dependencies: ["HoistOCI", "HoistContent", "CArchive", "CDeflate", "CZstd", "CSystem", "CIsal"]),
        .target(name: "CSandbox"),
        .target(name: "HoistSandbox", dependencies: ["HoistLayers", "CSandbox", "CSystem"]),
        .target(name: "HoistBuild", dependencies: ["HoistOCI", "HoistDockerfile", "HoistRegistry", "HoistContent", "HoistLayers", "HoistSandbox", "CSystem"]),
        .executableTarget(name: "hoist", dependencies: [
            "HoistBuild", "HoistLayers", "HoistSandbox",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "HoistTestSupport", dependencies: ["HoistOCI"], path: "Tests/HoistTestSupport"),
        .testTarget(name: "HoistOCITests", dependencies: ["HoistOCI"]),
        .testTarget(name: "HoistDockerfileTests", dependencies: ["HoistDockerfile", "HoistTestSupport"]),
        .testTarget(name: "HoistRegistryTests", dependencies: ["HoistRegistry", "HoistTestSupport"]),
        .testTarget(name: "HoistContentTests", dependencies: ["HoistContent"]),
        .testTarget(name: "HoistLayersTests", dependencies: ["HoistLayers", "HoistTestSupport"]),
        .testTarget(name: "HoistSandboxTests", dependencies: ["HoistSandbox", "HoistTestSupport"]),
        .testTarget(name: "HoistBuildTests", dependencies: ["HoistBuild", "HoistTestSupport"]),
        .testTarget(name: "hoistTests", dependencies: ["hoist", "HoistTestSupport"]),
    ]
)

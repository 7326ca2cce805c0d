// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .executable(name: "herald-bench", targets: ["HeraldBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Hummingbird's own HTTP parts, for the simulator's channel handler that hangs up instead of answering.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // Pure domain: job schema and validation, content model, state machines. No I/O.
        .target(
            name: "HeraldModel",
            dependencies: [
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The I/O shell: spool, store, systemd, configuration, services.
        .target(
            name: "HeraldCore",
            dependencies: [
                "HeraldModel",
                "CShim",
                "CCurl",
                "CSystemd",
                "CQRencode",
                "CCairo",
                "CZlib",
                "CHTMLText",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The platform simulator: Telegram's Bot API and Meta's Graph API from their documentation, sharing no
        // wire types with Herald, and simulated people who react to what they receive.
        .target(
            name: "HeraldSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldCore",
                "HeraldSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "HeraldBench",
            dependencies: ["HeraldCore", "HeraldModel", "HeraldTesting", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Typed, non-variadic wrappers for the variadic C functions of libcurl and libsystemd.
        .target(name: "CShim", dependencies: ["CCurl", "CSystemd"]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // QR codes for growth links: libqrencode makes the code, cairo draws it as PNG and SVG.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        // gzip for the growth tools' scripts, compressed once per version of a tool.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libxml2's HTML parser reduces feed descriptions to text (FoundationXML reads the feeds themselves).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CHTMLText", dependencies: ["CLibXML2"]),
        // Test support: the loopback platform server and its helpers.
        .target(
            name: "HeraldTesting",
            dependencies: [
                "HeraldCore",
                "HeraldSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "HeraldModelTests", dependencies: ["HeraldModel", .product(name: "Mustache", package: "swift-mustache")]),
        .testTarget(name: "HeraldSimulatorTests", dependencies: ["HeraldSimulator", "HeraldTesting"]),
        .testTarget(
            name: "HeraldCoreTests",
            dependencies: [
                "HeraldCore",
                "HeraldTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "HeraldCLITests", dependencies: ["herald", "HeraldCore", "HeraldTesting", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)

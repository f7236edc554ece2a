// swift-tools-version:5.4
import PackageDescription

// The libFuzzer targets of the CRM engine (issue 7, drill 4), in a package of their own: a fuzzer
// has no `main` of its own (libFuzzer supplies it), so it cannot live among the root package's
// targets, which `swift build --build-tests` links as ordinary executables.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point to
// `<module>_main` and links `main` to it, which leaves libFuzzer's own `main` out.
//
// Build and run with `scripts/drills/fuzz-libfuzzer.sh`; the build is
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address \
//     -Xswiftc -parse-as-library -Xswiftc -enable-testing
// (`-enable-testing` because the fuzzers reach internal decoders through `@testable import`).

let package = Package(
    name: "crm-fuzz",
    platforms: [.macOS("15.0")],
    dependencies: [.package(name: "crm-engine", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzEnvelope",
            dependencies: [.product(name: "EventStore", package: "crm-engine")]
        ),
        .executableTarget(
            name: "FuzzCommands",
            dependencies: [.product(name: "Domain", package: "crm-engine"), .product(name: "EventStore", package: "crm-engine")]
        ),
        // Apart from the others because the Server module brings Hummingbird and SwiftNIO, which
        // take most of the build time.
        .executableTarget(
            name: "FuzzBodies",
            dependencies: [
                .product(name: "Server", package: "crm-engine"),
                .product(name: "Domain", package: "crm-engine"),
                .product(name: "EventStore", package: "crm-engine"),
            ]
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for everything a user controls. Kept out of the root package so the
// root `swift build` / `swift test` never builds them; see README.md for how to run them.
let package = Package(
    name: "LeptonFuzz",
    dependencies: [
        .package(name: "Lepton", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "fuzz-parser", dependencies: [.product(name: "Lepton", package: "Lepton")]),
        .executableTarget(name: "fuzz-npy", dependencies: [.product(name: "Lepton", package: "Lepton")]),
        .executableTarget(name: "fuzz-npz", dependencies: [.product(name: "Lepton", package: "Lepton")]),
        .executableTarget(name: "fuzz-run", dependencies: [.product(name: "Lepton", package: "Lepton")]),
    ]
)

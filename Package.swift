// swift-tools-version:6.0
import PackageDescription

// Numeric code is 10-100x slower unoptimized; the reference kernels are the oracle every
// test leans on, so they are optimized even in debug builds (keeps `swift test` fast).
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Lepton",
    products: [
        .library(name: "Lepton", targets: ["Lepton"]),
        .executable(name: "lepton", targets: ["lepton"]),
    ],
    targets: [
        // Tensors, dtypes, .npy/.npz and seeded initializers. Knows nothing about graphs.
        .target(name: "LeptonTensor", swiftSettings: optimizedInDebug),
        // Graph IR: types, ops and their signatures, printer, verifier.
        .target(name: "LeptonIR", dependencies: ["LeptonTensor"]),
        // Reverse-mode differentiation: each op's gradient rule and the transform that applies them.
        .target(name: "LeptonAutodiff", dependencies: ["LeptonIR"]),
        // The .graph language: lexer, parser, lowering to IR (inlining graph calls).
        .target(name: "LeptonFrontend", dependencies: ["LeptonIR"]),
        // Obviously-correct kernels and the interpreter: the oracle for everything later.
        .target(name: "LeptonReference", dependencies: ["LeptonIR"], swiftSettings: optimizedInDebug),
        // Optimization passes over the IR: one file per pass, run by the PassManager.
        .target(name: "LeptonPasses", dependencies: ["LeptonIR", "LeptonReference"]),
        // CPU kernels over raw buffers. Knows nothing about graphs.
        // -march=native lets SIMD16.addingProduct become vfmadd (without it: one fmaf call per
        // lane); LEPTON_NATIVE_SIMD selects the packed SIMD GEMM, which needs it (Gemm.swift).
        .target(name: "LeptonKernels", swiftSettings: optimizedInDebug + [
            .unsafeFlags(["-Xcc", "-march=native"]), .define("LEPTON_NATIVE_SIMD"),
        ]),
        // Memory planning and the executor that runs planned IR out of one arena over the kernels.
        .target(name: "LeptonRuntime", dependencies: ["LeptonIR", "LeptonKernels", "LeptonReference"], swiftSettings: optimizedInDebug),
        // Training: the loss-joined graph, compiled steps, optimizers, datasets, metrics, checkpoints.
        .target(name: "LeptonTraining", dependencies: ["LeptonIR", "LeptonAutodiff", "LeptonPasses", "LeptonRuntime"],
                swiftSettings: optimizedInDebug),
        // ONNX import and export: our own protobuf reader/writer and the op mapping.
        // (Optimized in debug too: decoding a model's megabytes of weights is a numeric loop.)
        .target(name: "LeptonONNX", dependencies: ["LeptonIR", "LeptonReference"], swiftSettings: optimizedInDebug),
        // The public library API.
        .target(name: "Lepton", dependencies: ["LeptonFrontend", "LeptonReference", "LeptonPasses", "LeptonRuntime", "LeptonAutodiff", "LeptonTraining",
                                               "LeptonONNX"]),
        // The command-line tool, built only on the public API.
        .executableTarget(name: "lepton", dependencies: ["Lepton"]),
        .testTarget(
            name: "LeptonTests",
            dependencies: ["Lepton", "LeptonAutodiff", "LeptonTraining", "LeptonONNX", "LeptonFrontend", "LeptonReference", "LeptonIR", "LeptonTensor", "LeptonPasses", "LeptonKernels", "LeptonRuntime"],
            exclude: ["Fixtures"]
        ),
    ]
)

import Lepton

/// Any bytes must decode to named tensors or throw a `TensorIOError`, never trap. Uses the
/// bytes-level `NPZ.decode`, which `NPZ.read(contentsOf:)` calls after reading the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? NPZ.decode(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.npz")
    return 0
}

import Lepton

/// Any bytes must decode to a tensor or throw a `TensorIOError`, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? NPY.decode(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.npy")
    return 0
}

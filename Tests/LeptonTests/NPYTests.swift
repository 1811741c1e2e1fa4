import Foundation
import Testing
@testable import LeptonTensor

// Fixtures are written by numpy: Tools/gen_npy_fixtures.py (values mirrored here as literals).
private let fixtures = TestPaths.fixtures("npy").path

private func fixture(_ name: String) -> String { "\(fixtures)/\(name)" }

private let f4 = Tensor(shape: [2, 3], scalars: [Float(0.5), -1.25, 3.0, 1e-3, -0.0, 65504.0])
private let f8 = Tensor(shape: [3], scalars: [0.1, -2.5, 1e300])
private let i4 = Tensor(shape: [2, 2], scalars: [Int32(1), -2, .max, .min])
private let i8 = Tensor(shape: [4], scalars: [Int64(0), -1, 1 << 62, .min])
private let b1 = Tensor(shape: [2, 3], scalars: [true, false, true, false, false, true])
private let big = Tensor(shape: [3000], scalars: (0..<3000).map { Int32($0 % 17) })

/// A fresh empty directory under the system temporary directory.
private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "lepton-npy-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Test func readsEveryDtypeWrittenByNumpy() throws {
    #expect(try NPY.read(contentsOf: fixture("f4.npy")) == f4)
    #expect(try NPY.read(contentsOf: fixture("f8.npy")) == f8)
    #expect(try NPY.read(contentsOf: fixture("i4.npy")) == i4)
    #expect(try NPY.read(contentsOf: fixture("i8.npy")) == i8)
    #expect(try NPY.read(contentsOf: fixture("b1.npy")) == b1)
}

@Test func readsScalarsAndEmptyArrays() throws {
    #expect(try NPY.read(contentsOf: fixture("scalar.npy")) == Tensor(scalar: Float(3.5)))
    #expect(try NPY.read(contentsOf: fixture("empty.npy")) == Tensor(shape: [0, 3], scalars: [Float]()))
    #expect(try NPY.read(contentsOf: fixture("empty_i8.npy")) == Tensor(shape: [0], scalars: [Int64]()))
}

@Test func transposesFortranOrderToRowMajor() throws {
    #expect(try NPY.read(contentsOf: fixture("fortran_i4.npy")) == Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Int32.init)))
    #expect(try NPY.read(contentsOf: fixture("fortran_f8.npy")) == Tensor(shape: [2, 3], scalars: (0..<6).map(Double.init)))
}

@Test func readsBigEndianAndNewerVersions() throws {
    #expect(try NPY.read(contentsOf: fixture("big_endian_f4.npy")) == f4)
    #expect(try NPY.read(contentsOf: fixture("big_endian_f8.npy")) == f8)
    #expect(try NPY.read(contentsOf: fixture("big_endian_i8.npy")) == i8)
    #expect(try NPY.read(contentsOf: fixture("v2.npy")) == f4)
    #expect(try NPY.read(contentsOf: fixture("v3.npy")) == i4)
}

@Test(arguments: ["f4.npy", "f8.npy", "i4.npy", "i8.npy", "b1.npy", "scalar.npy", "empty.npy", "empty_i8.npy"])
func encodesByteForByteLikeNumpy(name: String) throws {
    let numpyBytes = try FileIO.readBytes(fixture(name))
    #expect(NPY.encode(try NPY.decode(numpyBytes, path: name)) == numpyBytes)
}

@Test func writesAtomicallyAndReadsBack() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for tensor in [f4, f8, i4, i8, b1, Tensor(scalar: Int64(7))] {
        try NPY.write(tensor, to: "\(directory)/t.npy")
        #expect(try NPY.read(contentsOf: "\(directory)/t.npy") == tensor)
    }
    // Only the final file remains: the temporary was renamed, not copied.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["t.npy"])
}

@Test func readsSavezAndSavezCompressed() throws {
    for name in ["savez.npz", "savez_compressed.npz"] {
        let arrays = try NPZ.read(contentsOf: fixture(name))
        #expect(arrays.map(\.name) == ["a", "b", "c", "big", "noise"], "\(name)")
        #expect(arrays.map(\.tensor).prefix(4) == [f4, i8, b1, big], "\(name)")
    }
    let stored = try NPZ.read(contentsOf: fixture("savez.npz"))
    let compressed = try NPZ.read(contentsOf: fixture("savez_compressed.npz"))
    #expect(stored[4].tensor == compressed[4].tensor)
    #expect(stored[4].tensor.shape == [300])
}

@Test(arguments: [0, 1, 9])
func inflatesEveryDeflateLevel(level: Int) throws {
    let arrays = try NPZ.read(contentsOf: fixture("deflate_level\(level).npz"))
    #expect(arrays.map(\.name) == ["a", "big"])
    #expect(arrays.map(\.tensor) == [f4, big])
}

@Test func npzRoundTripsThroughWrite() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let arrays: [(name: String, tensor: Tensor)] = [("w1", f4), ("layer.b", i8), ("mask", b1), ("s", Tensor(scalar: 2.0))]
    try NPZ.write(arrays, to: "\(directory)/w.npz")
    let back = try NPZ.read(contentsOf: "\(directory)/w.npz")
    #expect(back.map(\.name) == arrays.map(\.name))
    #expect(back.map(\.tensor) == arrays.map(\.tensor))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["w.npz"])
}

@Test func npzRejectsDuplicateNames() {
    #expect(throws: TensorIOError(path: "w.npz", message: "duplicate array name 'a'")) {
        try NPZ.encode([("a", f4), ("a", i8)], path: "w.npz")
    }
}

@Test(arguments: [
    ("empty.npy", "not a .npy file (bad magic)"),
    ("bad_magic.npy", "not a .npy file (bad magic)"),
    ("text.npy", "not a .npy file (bad magic)"),
    ("truncated_prefix.npy", "truncated header: file ends after 8 bytes"),
    ("truncated_header.npy", "truncated header: header needs 118 bytes, file has 30"),
    ("bad_version.npy", "unsupported .npy version 4.0"),
    ("header_not_dict.npy", "malformed header: expected '{' at offset 0, found 'h'"),
    ("header_missing_shape.npy", "malformed header: missing key 'shape'"),
    ("header_extra_key.npy", "malformed header: unexpected key 'foo'"),
    ("header_bad_bool.npy", "malformed header: expected True or False at offset 34, found '1'"),
    ("header_unterminated.npy", "malformed header: unterminated string at offset 10"),
    ("structured.npy", "unsupported dtype: structured arrays are not supported"),
    ("unsupported_f2.npy", "unsupported dtype '<f2' (lepton reads f4, f8, i4, i8 and b1)"),
    ("unsupported_u1.npy", "unsupported dtype '|u1' (lepton reads f4, f8, i4, i8 and b1)"),
    ("unsupported_c8.npy", "unsupported dtype '<c8' (lepton reads f4, f8, i4, i8 and b1)"),
    ("negative_shape.npy", "negative dimension -3 in shape"),
    ("huge_shape.npy", "shape (1099511627776, 1099511627776) is too large"),
    ("huge_but_representable.npy", "data is truncated: shape (2147483648, 1048576) of <f4 needs 9007199254740992 bytes, file has 0"),
    ("overflowing_digits.npy", "dimension 99999999999999999999999 in shape is too large"),
    ("lying_shape_short.npy", "data is truncated: shape (4, 4) of <f4 needs 64 bytes, file has 32"),
    ("lying_shape_long.npy", "data has 8 bytes more than shape (2,) of <f4 needs"),
    ("truncated.npz", "not a .npz file (no zip end-of-central-directory record)"),
    ("not_zip.npz", "not a .npz file (no zip end-of-central-directory record)"),
    ("bad_crc.npz", "entry 'a.npy' fails its crc-32 check (corrupt archive)"),
    ("bad_deflate.npz", "entry 'a.npy': corrupt deflate data: invalid block type 3"),
    ("bad_entry.npz", "entry 'x.npy': not a .npy file (bad magic)"),
])
func rejectsCorruptFiles(name: String, message: String) {
    let path = fixture("corrupt/\(name)")
    #expect(throws: TensorIOError(path: path, message: message)) {
        if name.hasSuffix(".npz") { _ = try NPZ.read(contentsOf: path) } else { _ = try NPY.read(contentsOf: path) }
    }
}

@Test func reportsMissingFilesAndDirectories() throws {
    #expect(throws: TensorIOError(path: fixture("nope.npy"), message: "no such file")) {
        try NPY.read(contentsOf: fixture("nope.npy"))
    }
    #expect(throws: TensorIOError(path: fixtures, message: "is a directory")) {
        try NPY.read(contentsOf: fixtures)
    }
    #expect(throws: TensorIOError(path: "/dev/zero", message: "not a regular file")) {
        try NPY.read(contentsOf: "/dev/zero")
    }
    #expect(throws: TensorIOError(path: "/nonexistent-lepton-dir/x.npy", message: "cannot write: no such directory")) {
        try NPY.write(f4, to: "/nonexistent-lepton-dir/x.npy")
    }
}

/// Every prefix and many single-byte corruptions of real files must throw or decode: never crash.
@Test func survivesTruncationAndBitFlips() throws {
    for name in ["f4.npy", "fortran_i4.npy", "savez_compressed.npz", "deflate_level1.npz"] {
        let bytes = try FileIO.readBytes(fixture(name))
        let decode: ([UInt8]) -> Void = name.hasSuffix(".npz")
            ? { _ = try? NPZ.decode($0, path: name) } : { _ = try? NPY.decode($0, path: name) }
        for length in 0..<bytes.count { decode(Array(bytes[..<length])) }
        for offset in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400)) {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var corrupted = bytes
                corrupted[offset] ^= flip
                decode(corrupted)
            }
        }
    }
}

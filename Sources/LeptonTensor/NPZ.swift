/// numpy's `.npz`: a zip of `.npy` files, as written by `np.savez` (stored) and
/// `np.savez_compressed` (deflated). Array names are the entry names without `.npy`.
public enum NPZ {
    /// Every array in the archive at `path`, in archive order.
    public static func read(contentsOf path: String) throws(TensorIOError) -> [(name: String, tensor: Tensor)] {
        try decode(FileIO.readBytes(path), path: path)
    }

    /// Decodes a whole `.npz` file; `path` only names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(TensorIOError) -> [(name: String, tensor: Tensor)] {
        var arrays: [(name: String, tensor: Tensor)] = []
        do throws(FormatError) {
            for entry in try ZipArchive.entries(bytes) where !entry.name.hasSuffix("/") {
                let contents = try ZipArchive.contents(of: entry, in: bytes)
                let name = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
                do throws(TensorIOError) {
                    arrays.append((name, try NPY.decode(contents, path: path)))
                } catch {
                    throw FormatError(message: "entry '\(entry.name)': \(error.message)")
                }
            }
        } catch {
            throw TensorIOError(path: path, message: error.message)
        }
        return arrays
    }

    /// The `.npz` bytes for `arrays` (entries `<name>.npy`, stored uncompressed).
    public static func encode(_ arrays: [(name: String, tensor: Tensor)], path: String) throws(TensorIOError) -> [UInt8] {
        var seen: Set<String> = []
        for (name, _) in arrays {
            guard !name.isEmpty else { throw TensorIOError(path: path, message: "array names must not be empty") }
            guard seen.insert(name).inserted else { throw TensorIOError(path: path, message: "duplicate array name '\(name)'") }
        }
        guard let bytes = ZipArchive.archive(arrays.map { ($0.name + ".npy", NPY.encode($0.tensor)) }) else {
            throw TensorIOError(path: path, message: "too large for an .npz without zip64 (over 4 GiB or 65535 arrays)")
        }
        return bytes
    }

    /// Writes `arrays` to `path` atomically (temporary file, then rename).
    public static func write(_ arrays: [(name: String, tensor: Tensor)], to path: String) throws(TensorIOError) {
        try FileIO.writeAtomically(encode(arrays, path: path), to: path)
    }
}

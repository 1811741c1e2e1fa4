/// numpy's `.npy` format: magic, version, a Python-dict header, then the raw scalars.
///
/// Reads versions 1.0–3.0, either byte order, C or Fortran order (transposed to C), dtypes
/// f4 f8 i4 i8 b1. Every size claim in the header is checked against the bytes actually
/// present before anything is allocated, so a lying or corrupt file is an error, never a crash.
/// Writes version 1.0 (2.0 for huge headers), little-endian, C order — what `np.save` writes.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads and decodes the `.npy` file at `path`.
    public static func read(contentsOf path: String) throws(TensorIOError) -> Tensor {
        try decode(FileIO.readBytes(path), path: path)
    }

    /// Decodes a whole `.npy` file; `path` only names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(TensorIOError) -> Tensor {
        do throws(Failure) {
            let (header, dataStart) = try parseHeader(bytes)
            return try decodeData(bytes[dataStart...], header: header)
        } catch {
            throw TensorIOError(path: path, message: error.message)
        }
    }

    /// The complete `.npy` file for `tensor`, byte for byte what `np.save` writes.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let header = NPYHeader(descr: descr(of: tensor.dtype), fortranOrder: false, shape: tensor.shape)
        var bytes = headerBytes(header)
        bytes.reserveCapacity(bytes.count + tensor.count * tensor.dtype.byteSize)
        ScalarCoding.append(tensor.storage, to: &bytes)
        return bytes
    }

    /// Writes `tensor` to `path` atomically (temporary file, then rename).
    public static func write(_ tensor: Tensor, to path: String) throws(TensorIOError) {
        try FileIO.writeAtomically(encode(tensor), to: path)
    }
}

extension NPY {
    typealias Failure = FormatError

    /// The header and the offset where the data starts.
    static func parseHeader(_ bytes: [UInt8]) throws(Failure) -> (NPYHeader, Int) {
        guard bytes.count >= magic.count, bytes.starts(with: magic) else {
            throw Failure(message: "not a .npy file (bad magic)")
        }
        guard bytes.count >= 8 else { throw Failure(message: "truncated header: file ends after \(bytes.count) bytes") }
        let (major, minor) = (bytes[6], bytes[7])
        guard minor == 0, (1...3).contains(major) else { throw Failure(message: "unsupported .npy version \(major).\(minor)") }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw Failure(message: "truncated header: file ends after \(bytes.count) bytes") }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthSize
        guard bytes.count - start >= headerLength else {
            throw Failure(message: "truncated header: header needs \(headerLength) bytes, file has \(bytes.count - start)")
        }
        var parser = NPYHeaderParser(bytes[start..<start + headerLength])
        return (try parser.parse(), start + headerLength)
    }

    static func decodeData(_ data: ArraySlice<UInt8>, header: NPYHeader) throws(Failure) -> Tensor {
        guard let (dtype, bigEndian) = format(of: header.descr) else {
            throw Failure(message: "unsupported dtype '\(header.descr)' (lepton reads f4, f8, i4, i8 and b1)")
        }
        let shapeText = NPYHeader.tupleText(header.shape)
        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw Failure(message: "shape \(shapeText) is too large") }
            count = product
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw Failure(message: "shape \(shapeText) is too large") }
        guard data.count >= needed else {
            throw Failure(message: "data is truncated: shape \(shapeText) of \(header.descr) needs \(needed) bytes, file has \(data.count)")
        }
        guard data.count == needed else {
            throw Failure(message: "data has \(data.count - needed) bytes more than shape \(shapeText) of \(header.descr) needs")
        }
        var storage = ScalarCoding.decode(data, dtype: dtype, count: count, bigEndian: bigEndian)
        if header.fortranOrder { storage = ScalarCoding.fortranToC(storage, shape: header.shape) }
        return Tensor(shape: header.shape, storage: storage)
    }

    /// `<f4` -> (.f32, little-endian). nil for anything Lepton has no dtype for.
    static func format(of descr: String) -> (DType, bigEndian: Bool)? {
        guard descr.count == 3, let order = descr.first, "<>|=".contains(order) else { return nil }
        let dtype: DType
        switch descr.dropFirst() {
        case "f4": dtype = .f32
        case "f8": dtype = .f64
        case "i4": dtype = .i32
        case "i8": dtype = .i64
        case "b1": dtype = .bool
        default: return nil
        }
        // '|' (not applicable) is only meaningful for single bytes; numpy never writes it otherwise.
        if order == "|" && dtype != .bool { return nil }
        return (dtype, order == ">")
    }

    static func descr(of dtype: DType) -> String {
        switch dtype {
        case .f32: "<f4"
        case .f64: "<f8"
        case .i32: "<i4"
        case .i64: "<i8"
        case .bool: "|b1"
        }
    }

    /// Magic, version, length and the header padded with spaces and a newline so the data
    /// starts on a 64-byte boundary; numpy also leaves room for the first dim to grow.
    static func headerBytes(_ header: NPYHeader) -> [UInt8] {
        var text = header.text
        if let growing = header.shape.first {
            text += String(repeating: " ", count: max(0, 21 - String(growing).count))
        }
        var version: UInt8 = 1
        var lengthSize = 2
        var padded = pad(text, prefix: magic.count + 2 + lengthSize)
        if padded.utf8.count > Int(UInt16.max) {
            (version, lengthSize) = (2, 4)
            padded = pad(text, prefix: magic.count + 2 + lengthSize)
        }
        var bytes = magic + [version, 0]
        let length = padded.utf8.count
        for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * i))) }
        bytes += Array(padded.utf8)
        return bytes
    }

    private static func pad(_ text: String, prefix: Int) -> String {
        let unpadded = prefix + text.utf8.count + 1
        // Like numpy, pad by 1...64 spaces (never 0): readers may rely on the exact layout.
        return text + String(repeating: " ", count: 64 - unpadded % 64) + "\n"
    }
}

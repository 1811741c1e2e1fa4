/// One file in a zip archive, as its central directory describes it.
struct ZipEntry {
    var name: String
    var flags: Int
    var method: Int
    var crc: UInt32
    var compressedSize: Int
    var size: Int
    var localHeaderOffset: Int
}

/// The zip container under `.npz`: reading stored and deflated entries (with zip64 sizes, as
/// numpy writes them), writing stored ones. Every offset and size read from the archive is
/// checked against the bytes present before use.
enum ZipArchive {
    typealias Failure = FormatError

    /// The entries listed in the central directory of `bytes`.
    static func entries(_ bytes: [UInt8]) throws(Failure) -> [ZipEntry] {
        let (count, directoryStart, directorySize) = try endOfCentralDirectory(bytes)
        guard count >= 0, directoryStart >= 0, directorySize >= 0, directoryStart <= bytes.count,
              directorySize <= bytes.count - directoryStart, count <= directorySize / 46 else {
            throw Failure(message: "corrupt zip: central directory lies outside the file")
        }
        var entries: [ZipEntry] = []
        var offset = directoryStart
        for _ in 0..<count {
            let entry = try centralEntry(bytes, at: &offset, end: directoryStart + directorySize)
            entries.append(entry)
        }
        return entries
    }

    /// The uncompressed contents of `entry`, CRC-checked.
    static func contents(of entry: ZipEntry, in bytes: [UInt8]) throws(Failure) -> [UInt8] {
        let start = try dataStart(of: entry, in: bytes)
        let stored = bytes[start..<start + entry.compressedSize]
        guard entry.flags & 1 == 0 else { throw Failure(message: "entry '\(entry.name)' is encrypted") }
        var data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.size else { throw Failure(message: "corrupt zip: stored entry '\(entry.name)' has two different sizes") }
            data = Array(stored)
        case 8:
            // DEFLATE cannot expand data more than ~1032x: a bigger claim is a lie, not an allocation.
            guard entry.size <= entry.compressedSize * 1032 + 1024 else {
                throw Failure(message: "corrupt zip: entry '\(entry.name)' claims \(entry.size) bytes from \(entry.compressedSize) compressed")
            }
            do throws(FormatError) {
                data = try Inflate.decompress(stored, size: entry.size)
            } catch {
                throw Failure(message: "entry '\(entry.name)': \(error.message)")
            }
        default:
            throw Failure(message: "entry '\(entry.name)' uses unsupported compression method \(entry.method)")
        }
        guard CRC32.checksum(data) == entry.crc else { throw Failure(message: "entry '\(entry.name)' fails its crc-32 check (corrupt archive)") }
        return data
    }

    /// A zip of `files`, stored uncompressed; nil when it would need zip64.
    static func archive(_ files: [(name: String, data: [UInt8])]) -> [UInt8]? {
        var body: [UInt8] = []
        var directory: [UInt8] = []
        for (name, data) in files {
            let nameBytes = Array(name.utf8)
            guard data.count <= 0xFFFF_FFFE, body.count <= 0xFFFF_FFFE, nameBytes.count <= 0xFFFF else { return nil }
            let crc = CRC32.checksum(data)
            // flags: bit 11 = names are UTF-8. Date 1980-01-01 00:00 keeps archives reproducible.
            let common: [Int] = [20, 1 << 11, 0, 0, 0x21]
            let sizes = le32(crc) + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(0)
            directory += le32(0x0201_4B50) + le16(20) + common.flatMap(le16) + sizes
                + le16(0) + le16(0) + le16(0) + le32(0) + le32(body.count) + nameBytes
            body += le32(0x0403_4B50) + common.flatMap(le16) + sizes + nameBytes + data
        }
        guard files.count < 0xFFFF, body.count <= 0xFFFF_FFFE else { return nil }
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count)
            + le32(directory.count) + le32(body.count) + le16(0)
        return body + directory + end
    }
}

private extension ZipArchive {
    /// (entry count, central directory offset, size), from the zip64 record when present.
    static func endOfCentralDirectory(_ bytes: [UInt8]) throws(Failure) -> (Int, Int, Int) {
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var position = bytes.count - 22
        while position >= lowest, le(bytes, position, 4) != 0x0605_4B50 { position -= 1 }
        guard position >= lowest else { throw Failure(message: "not a .npz file (no zip end-of-central-directory record)") }
        guard le(bytes, position + 4, 2) == 0, le(bytes, position + 6, 2) == 0 else {
            throw Failure(message: "multi-disk zip archives are not supported")
        }
        let count = le(bytes, position + 10, 2), size = le(bytes, position + 12, 4), start = le(bytes, position + 16, 4)
        guard count == 0xFFFF || size == 0xFFFF_FFFF || start == 0xFFFF_FFFF else { return (count, start, size) }
        let locator = position - 20
        guard locator >= 0, le(bytes, locator, 4) == 0x0706_4B50 else { throw Failure(message: "corrupt zip: zip64 locator missing") }
        let record = le(bytes, locator + 8, 8)
        guard record >= 0, record <= bytes.count - 56, le(bytes, record, 4) == 0x0606_4B50 else {
            throw Failure(message: "corrupt zip: zip64 end-of-central-directory record missing")
        }
        return (le(bytes, record + 32, 8), le(bytes, record + 48, 8), le(bytes, record + 40, 8))
    }

    static func centralEntry(_ bytes: [UInt8], at offset: inout Int, end: Int) throws(Failure) -> ZipEntry {
        guard end - offset >= 46, le(bytes, offset, 4) == 0x0201_4B50 else { throw Failure(message: "corrupt zip: bad central directory entry") }
        let nameLength = le(bytes, offset + 28, 2), extraLength = le(bytes, offset + 30, 2), commentLength = le(bytes, offset + 32, 2)
        guard end - offset - 46 >= nameLength + extraLength + commentLength else { throw Failure(message: "corrupt zip: bad central directory entry") }
        let nameStart = offset + 46
        var entry = ZipEntry(
            name: String(decoding: bytes[nameStart..<nameStart + nameLength], as: UTF8.self),
            flags: le(bytes, offset + 8, 2), method: le(bytes, offset + 10, 2), crc: UInt32(le(bytes, offset + 16, 4)),
            compressedSize: le(bytes, offset + 20, 4), size: le(bytes, offset + 24, 4), localHeaderOffset: le(bytes, offset + 42, 4))
        try applyZip64(bytes[nameStart + nameLength..<nameStart + nameLength + extraLength], to: &entry)
        offset = nameStart + nameLength + extraLength + commentLength
        return entry
    }

    /// Replaces 0xFFFFFFFF sizes and offset by the 64-bit values of the zip64 extra field.
    static func applyZip64(_ extra: ArraySlice<UInt8>, to entry: inout ZipEntry) throws(Failure) {
        let bytes = Array(extra)
        var position = 0
        while position + 4 <= bytes.count {
            let id = le(bytes, position, 2), length = le(bytes, position + 2, 2)
            var field = position + 4
            position = field + length
            guard id == 1 else { continue }
            for keyPath in [\ZipEntry.size, \.compressedSize, \.localHeaderOffset] where entry[keyPath: keyPath] == 0xFFFF_FFFF {
                guard field + 8 <= min(position, bytes.count) else { throw Failure(message: "corrupt zip: short zip64 field for '\(entry.name)'") }
                entry[keyPath: keyPath] = le(bytes, field, 8)
                field += 8
            }
        }
    }

    /// Where the entry's data starts, after its local header; checks the data fits in the file.
    static func dataStart(of entry: ZipEntry, in bytes: [UInt8]) throws(Failure) -> Int {
        let header = entry.localHeaderOffset
        guard header >= 0, header <= bytes.count - 30, le(bytes, header, 4) == 0x0403_4B50 else {
            throw Failure(message: "corrupt zip: bad local header for '\(entry.name)'")
        }
        let start = header + 30 + le(bytes, header + 26, 2) + le(bytes, header + 28, 2)
        guard entry.compressedSize >= 0, entry.size >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw Failure(message: "corrupt zip: entry '\(entry.name)' extends past the end of the file")
        }
        return start
    }

    /// The little-endian unsigned integer of `width` bytes at `offset`; 0 beyond the end. Values
    /// that do not fit an Int (absurd 64-bit sizes) come back negative and fail range checks.
    static func le(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> Int {
        guard offset >= 0, offset <= bytes.count - width else { return 0 }
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        return Int(truncatingIfNeeded: value)
    }

    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func le32(_ value: UInt32) -> [UInt8] { le32(Int(value)) }
}

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be read or written, or whose contents are not what they claim.
public struct TensorIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file concerned, as the user spelled it.
    public var path: String
    /// One lowercase line, no final period: what is wrong.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public init(path: String, _ message: String) {
        self.init(path: path, message: message)
    }

    /// `path: error: message`, the same shape as a source diagnostic.
    public var description: String { "\(path): error: \(message)" }
}

/// What is wrong with a file's contents; the caller adds the path to make a `TensorIOError`.
struct FormatError: Error {
    var message: String
}

/// Whole-file reads and atomic writes over POSIX calls, so errors can say *why* (errno)
/// rather than Foundation's generic "couldn't be opened".
public enum FileIO {
    /// The entire contents of `path`.
    public static func readBytes(_ path: String) throws(TensorIOError) -> [UInt8] {
        let (fd, size) = try openRegularFile(path)
        defer { close(fd) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TensorIOError(path: path, message: reason(errno)) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// The entire contents of `path`, mapped into memory (private: never written back), or read
    /// into one 64-byte-aligned block where mapping fails; files larger than `limit` bytes (by
    /// default the machine's memory) are refused before anything is allocated. Mapping costs no copy and shares the page cache:
    /// loading a model is then mostly checking it. (Shrinking the file on disk while it is
    /// mapped would fault its readers; `writeAtomically` replaces files instead, so files
    /// written by Lepton never change under a reader.)
    public static func map(_ path: String, limit: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)) throws(TensorIOError) -> AlignedBytes {
        let (fd, size) = try openRegularFile(path)
        defer { close(fd) }
        guard size <= limit else {
            throw TensorIOError(path: path, message: "is \(size) bytes, more than this machine's memory (\(limit) bytes)")
        }
        if size > 0, let address = mmap(nil, size, PROT_READ, mapFlags, fd, 0), address != MAP_FAILED {
            return AlignedBytes(mapping: address, count: size)
        }
        let bytes = AlignedBytes(uninitializedCount: size)
        var offset = 0
        while offset < size {
            let n = read(fd, bytes.base + offset, size - offset)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TensorIOError(path: path, message: reason(errno)) }
            guard n > 0 else { throw TensorIOError(path: path, message: "the file shrank while it was read") }
            offset += n
        }
        return bytes
    }

    #if os(Linux)
    /// Read-only (a write would copy the page; nothing writes params) and populated now (the
    /// checksum reads every page anyway, and populating maps them in one pass).
    private static let mapFlags = MAP_PRIVATE | MAP_POPULATE
    #else
    private static let mapFlags = MAP_PRIVATE
    #endif

    /// An open descriptor for `path` and its size; only regular files (devices and pipes can
    /// be endless, like /dev/zero, and have no size to trust).
    private static func openRegularFile(_ path: String) throws(TensorIOError) -> (fd: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorIOError(path: path, message: reason(errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw TensorIOError(path: path, message: reason(code))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw TensorIOError(path: path, message: info.st_mode & S_IFMT == S_IFDIR ? "is a directory" : "not a regular file")
        }
        return (fd, Int(info.st_size))
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers
    /// see the old file or the complete new one, never a torn write.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(TensorIOError) {
        let temporary = temporaryPath(beside: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            throw TensorIOError(path: path, message: code == ENOENT ? "cannot write: no such directory" : "cannot write: \(reason(code))")
        }
        var failure: Int32 = 0
        var offset = 0
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = errno; return }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw TensorIOError(path: path, message: "cannot write: \(reason(failure))")
        }
    }

    /// `dir/.name.tmp-<pid>-<random>`: same directory, so the rename cannot cross file systems.
    private static func temporaryPath(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// errno as a lowercase phrase (`no such file`, `permission denied`).
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}

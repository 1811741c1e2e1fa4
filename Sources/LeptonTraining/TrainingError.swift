import LeptonTensor

/// Why a training building block refused its input: a dataset, checkpoint or optimizer state
/// that does not fit. One lowercase line, no final period, naming the file when there is one,
/// so the CLI can print it as is.
public struct TrainingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file concerned, as the user spelled it; nil when no file is involved.
    public var path: String?
    /// What is wrong, naming the array, param or entry.
    public var message: String

    public init(path: String? = nil, _ message: String) {
        self.path = path
        self.message = message
    }

    /// A file error from LeptonTensor, keeping its path.
    public init(_ error: TensorIOError) {
        self.init(path: error.path, error.message)
    }

    /// The same error, now naming `path` (the checkpoint that held a bad optimizer state).
    public func inFile(_ path: String) -> TrainingError {
        TrainingError(path: path, message)
    }

    /// `path: error: message`, or `error: message` without a file: the shape of a diagnostic.
    public var description: String {
        path.map { "\($0): error: \(message)" } ?? "error: \(message)"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What `lepton train` prints while it trains: a live line redrawn in place on a terminal,
///
///     epoch  3/20 [##########------]  640/1438  5120 samples/s  loss 0.4213
///
/// and one summary line per epoch, the only output when stdout is not a terminal:
///
///     epoch  3/20  loss 0.4213  val_loss 0.3900  val_acc 95.3%  1.2 s  5120 samples/s
///
/// Pure formatting, so it is tested as text (it lives here rather than in the CLI because the
/// tests cannot import an executable target: on a case-insensitive file system its module,
/// `lepton`, collides with `Lepton`). Counters are padded to the width of their totals so
/// successive lines do not jitter.
public enum ProgressLine {
    /// The live line for `done` of `total` samples of epoch `epoch` of `epochs`, at most `width`
    /// characters (the terminal's columns; a bar takes what the numbers leave, from 10 to 40
    /// characters, and is dropped when fewer fit). `samplesPerSecond` and `loss` (the running
    /// mean) are omitted when nil.
    public static func render(epoch: Int, epochs: Int, done: Int, total: Int, samplesPerSecond: Double?, loss: Double?,
                              width: Int) -> String {
        let head = epochText(epoch, epochs)
        let counts = padded(min(max(done, 0), total), like: total) + "/\(total)"
        var tail = ""
        if let rate = samplesPerSecond { tail += "  " + rateText(rate) }
        if let loss { tail += "  loss " + String(format: "%.4f", loss) }
        let width = width > 0 ? width : 80
        let room = width - head.count - counts.count - tail.count - 4  // " [", "] "
        guard room >= 10 else { return String((head + "  " + counts + tail).prefix(width)) }
        let barWidth = min(room, 40)
        let filled = total > 0 ? barWidth * min(max(done, 0), total) / total : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        return "\(head) [\(bar)] \(counts)\(tail)"
    }

    /// The summary of a finished epoch: its mean loss, the validation loss and accuracy (a
    /// fraction, shown as a percentage), the seconds it took and its samples per second; each
    /// field omitted when nil.
    public static func summary(epoch: Int, epochs: Int, loss: Double?, validationLoss: Double?, validationAccuracy: Double?,
                               seconds: Double?, samplesPerSecond: Double?) -> String {
        var fields = [epochText(epoch, epochs)]
        if let loss { fields.append("loss " + String(format: "%.4f", loss)) }
        if let validationLoss { fields.append("val_loss " + String(format: "%.4f", validationLoss)) }
        if let validationAccuracy { fields.append("val_acc " + String(format: "%.1f%%", 100 * validationAccuracy)) }
        if let seconds { fields.append(seconds < 1 ? String(format: "%.0f ms", 1000 * seconds) : String(format: "%.1f s", seconds)) }
        if let samplesPerSecond { fields.append(rateText(samplesPerSecond)) }
        return fields.joined(separator: "  ")
    }

    /// `line` prefixed to return to the start of the terminal line and suffixed to clear what
    /// a longer previous line left: print it without a newline to redraw the live line.
    public static func redrawing(_ line: String) -> String {
        "\r" + line + "\u{1B}[K"
    }

    /// The terminal's width in columns (80 when it cannot be asked).
    public static var terminalWidth: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Whether stdout is a terminal (the live line is drawn only then).
    public static var isTerminal: Bool {
        isatty(STDOUT_FILENO) != 0
    }
}

private extension ProgressLine {
    static func epochText(_ epoch: Int, _ epochs: Int) -> String {
        "epoch " + padded(epoch, like: epochs) + "/\(epochs)"
    }

    static func padded(_ value: Int, like widest: Int) -> String {
        let text = "\(value)"
        return String(repeating: " ", count: max(0, "\(widest)".count - text.count)) + text
    }

    static func rateText(_ rate: Double) -> String {
        String(format: "%.0f samples/s", rate)
    }
}

import Foundation
import Lepton

/// Steps every command shares, with library errors turned into rendered CLI failures.
enum ModelLoading {
    static func load(_ path: String) throws(CLIError) -> Model {
        do throws(DiagnosticError) {
            return try Model.load(contentsOf: path)
        } catch {
            // A parse error: the model never came to be, so fetch the text for the caret here.
            throw .failure(error.rendered(source: try? String(contentsOfFile: path, encoding: .utf8), path: path))
        }
    }

    /// Runs `body`, rendering any diagnostics against `model`'s source.
    static func within<T>(_ model: Model, _ body: () throws(DiagnosticError) -> T) throws(CLIError) -> T {
        do throws(DiagnosticError) {
            return try body()
        } catch {
            throw .failure(model.render(error))
        }
    }
}

import Foundation
import Testing
import LeptonTraining

@Suite struct MetricsLogTests {
    static let log = MetricsLog(rows: [
        .init(epoch: 1, trainLoss: 0.693147, validationLoss: 0.5, validationAccuracy: 0.8125, seconds: 1.23456, samplesPerSecond: 5120.04),
        .init(epoch: 2, trainLoss: 0.000012345678, seconds: 0.5, samplesPerSecond: 12000),
        .init(epoch: 3, trainLoss: .nan, validationLoss: .infinity, validationAccuracy: 1, seconds: 2, samplesPerSecond: 3000.25),
    ])

    @Test func csvHasAHeaderAndEmptyCellsForMissingValues() {
        #expect(Self.log.csv() == """
            epoch,train_loss,val_loss,val_accuracy,seconds,samples_per_second
            1,0.693147,0.5,0.8125,1.235,5120.0
            2,1.23457e-05,,,0.500,12000.0
            3,nan,inf,1,2.000,3000.2

            """)
        #expect(MetricsLog().csv() == "epoch,train_loss,val_loss,val_accuracy,seconds,samples_per_second\n")
    }

    @Test func writesTheCsvFile() throws {
        let path = NSTemporaryDirectory() + "lepton-log-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.log.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.log.csv())
        #expect(throws: TrainingError(path: "/no/such/dir/log.csv", "cannot write: no such directory")) {
            try Self.log.write(to: "/no/such/dir/log.csv")
        }
    }

    @Test func lossSeriesHasValidationOnlyWhenThereIsSome() {
        #expect(Self.log.lossSeries.map(\.name) == ["train_loss", "val_loss"])
        #expect(Self.log.lossSeries[1].values.map { $0.isNaN } == [false, true, false])
        #expect(MetricsLog(rows: [.init(epoch: 1, trainLoss: 1)]).lossSeries.map(\.name) == ["train_loss"])
    }
}

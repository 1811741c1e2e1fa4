import Testing
import LeptonTraining

@Suite struct ProgressLineTests {
    // At 80 columns the numbers take 53, leaving a 27-character bar: 27·640/1438 = 12.02 → 12
    // filled. The line then fills the width exactly.
    @Test func liveLineFillsTheBarInProportion() {
        #expect(ProgressLine.render(epoch: 3, epochs: 20, done: 640, total: 1438, samplesPerSecond: 5120.4, loss: 0.42127, width: 80)
                == "epoch  3/20 [############---------------]  640/1438  5120 samples/s  loss 0.4213")
        #expect(ProgressLine.render(epoch: 1, epochs: 1, done: 0, total: 10, samplesPerSecond: nil, loss: nil, width: 120)
                == "epoch 1/1 [----------------------------------------]  0/10")
        #expect(ProgressLine.render(epoch: 1, epochs: 1, done: 10, total: 10, samplesPerSecond: nil, loss: nil, width: 30)
                == "epoch 1/1 [############] 10/10")
    }

    @Test func liveLineNeverExceedsTheWidth() {
        for width in [1, 20, 45, 60, 200] {
            let line = ProgressLine.render(epoch: 12, epochs: 100, done: 5, total: 100_000, samplesPerSecond: 123_456, loss: 1.5, width: width)
            #expect(line.count <= width, "\(line)")
        }
        // Too narrow for a 10-character bar: the numbers alone.
        #expect(ProgressLine.render(epoch: 3, epochs: 20, done: 640, total: 1438, samplesPerSecond: 5120, loss: 0.5, width: 60)
                == "epoch  3/20   640/1438  5120 samples/s  loss 0.5000")
    }

    @Test func summaryOmitsWhatIsMissing() {
        #expect(ProgressLine.summary(epoch: 3, epochs: 20, loss: 0.42127, validationLoss: 0.39, validationAccuracy: 0.9531,
                                     seconds: 1.23, samplesPerSecond: 5120.2)
                == "epoch  3/20  loss 0.4213  val_loss 0.3900  val_acc 95.3%  1.2 s  5120 samples/s")
        #expect(ProgressLine.summary(epoch: 12, epochs: 12, loss: 0.5, validationLoss: nil, validationAccuracy: nil,
                                     seconds: 10, samplesPerSecond: nil)
                == "epoch 12/12  loss 0.5000  10.0 s")
    }

    @Test func redrawReturnsToTheLineStartAndClearsItsEnd() {
        #expect(ProgressLine.redrawing("epoch 1/2") == "\repoch 1/2\u{1B}[K")
    }
}

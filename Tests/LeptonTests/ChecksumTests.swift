import Testing
import LeptonTensor

/// The artifact checksum against values from the reference xxHash library (the Python
/// `xxhash` package, `xxh64(data, seed).intdigest()`), over lengths that exercise every tail
/// path: empty, under 4, under 32, whole stripes and ragged ones.
@Suite struct ChecksumTests {
    @Test func xxhash64MatchesTheReference() {
        func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 { XXHash64.hash(bytes[...], seed: seed) }
        #expect(hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(hash(Array(repeating: Array(0...255), count: 3).flatMap { $0 }) == 0x8E03_C838_C596_036F)
        #expect(hash(Array(repeating: Array("Lepton".utf8), count: 7).flatMap { $0 }) == 0xEE15_145E_FBD0_DFB8)
        #expect(hash(Array(0..<37)) == 0xD93F_A2DF_EE5C_24C9)
        #expect(hash(Array(0..<100), seed: 7) == 0x8065_3E7E_9B88_7CDD)
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

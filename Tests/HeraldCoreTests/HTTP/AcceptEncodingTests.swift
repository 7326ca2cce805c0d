@testable import HeraldCore
import Testing

/// Which clients get the growth scripts gzip-compressed: those whose Accept-Encoding takes gzip.
@Suite struct AcceptEncodingTests {
    @Test func gzipIsSent_onlyWhereItIsAcceptedWithAQualityAboveZero() {
        #expect(GrowthRoutes.acceptsGzip("gzip, deflate, br, zstd"))
        #expect(GrowthRoutes.acceptsGzip("br;q=1.0, GZIP;q=0.5"))
        #expect(GrowthRoutes.acceptsGzip("*"))
        #expect(!GrowthRoutes.acceptsGzip("gzip;q=0"))
        #expect(!GrowthRoutes.acceptsGzip("identity"))
        #expect(!GrowthRoutes.acceptsGzip("x-gzip-not"))
        #expect(!GrowthRoutes.acceptsGzip(nil))
        #expect(Gzip.compress(Array(repeating: 65, count: 10_000)).map { $0.count < 100 && $0.starts(with: [0x1F, 0x8B]) } == true)
    }
}

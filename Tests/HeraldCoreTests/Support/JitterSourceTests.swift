import HeraldCore
import Testing

@Suite struct JitterSourceTests {
    @Test func next_staysInTheUnitInterval_andSpreadsOverIt() {
        let source = JitterSource(seed: 42)
        let values = (0..<10_000).map { _ in source.next() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        // Ten buckets of a uniform draw each hold about a tenth (a stuck or biased generator fails this).
        var buckets = [Int](repeating: 0, count: 10)
        for value in values { buckets[Int(value * 10)] += 1 }
        #expect(buckets.allSatisfy { (850...1150).contains($0) }, "\(buckets)")
    }

    @Test func sameSeed_sameSequence_otherSeed_another() {
        let a = JitterSource(seed: 7), b = JitterSource(seed: 7), c = JitterSource(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }
}

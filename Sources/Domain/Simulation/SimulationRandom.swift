/// The simulator's only source of randomness: xoshiro256** seeded through SplitMix64.
///
/// Fixtures must be identical byte for byte for the same seed, on every machine and every run, so
/// the simulator never touches `SystemRandomNumberGenerator`, `Double.random()` without this
/// generator, `Date()` or `UUID()`. The distributions below use only IEEE-exact operations (`+ - * /`,
/// `sqrt`, rounding) and `DeterministicMath`, never the platform's `exp`/`log`, whose last bits
/// differ between C libraries.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole sequence follows from `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one state xoshiro cannot leave
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// An independent generator for one concern (names, ids…), so that adding draws in one part
    /// of the simulation does not shift the sequence of another.
    public mutating func fork(_ label: UInt64) -> SimulationRandom {
        SimulationRandom(seed: next() ^ (label &* 0x9E37_79B9_7F4A_7C15))
    }

    // MARK: Uniform

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [0, 1), never exactly 0 (for logarithms).
    mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform integer in `range` (Lemire's unbiased method via the standard library).
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// Uniform `Int64` in `range`.
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }

    /// Uniform double in `range`.
    public mutating func double(_ range: ClosedRange<Double>) -> Double { range.lowerBound + unit() * (range.upperBound - range.lowerBound) }

    /// One element, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An index drawn with the given non-negative weights.
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (index, weight) in weights.enumerated() {
            if x < weight { return index }
            x -= weight
        }
        return weights.count - 1
    }

    /// One element drawn with the weights paired with it.
    public mutating func weighted<T>(_ items: [(T, Double)]) -> T { items[weightedIndex(items.map(\.1))].0 }

    // MARK: Distributions

    /// Standard normal by the Irwin–Hall sum of twelve uniforms (bounded at ±6, which is what a
    /// simulation of business behaviour wants anyway).
    public mutating func normal() -> Double {
        var sum = 0.0
        for _ in 0..<12 { sum += unit() }
        return sum - 6
    }

    /// Exponentially distributed with the given mean.
    public mutating func exponential(mean: Double) -> Double { -DeterministicMath.log(openUnit()) * mean }

    /// Log-normal with the given median and spread (`sigma` of the underlying normal).
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * DeterministicMath.exp(sigma * normal())
    }

    /// Poisson-distributed count with mean `lambda` (Knuth for small means, a rounded normal above 30).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let limit = DeterministicMath.exp(-lambda)
        var product = unit()
        var count = 0
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }
}

/// SplitMix64: spreads a seed over the xoshiro state, and derives command ids.
public struct SplitMix64: Sendable {
    /// The whole state: the next output follows from it alone.
    public var state: UInt64

    /// A generator starting from `state` (any value, zero included).
    public init(state: UInt64) { self.state = state }

    /// The next 64 well-mixed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `exp` and `log` from basic IEEE operations only, so that a seed gives the same fixtures on Linux
/// and macOS (the C libraries' transcendental functions may differ in the last bit, and one bit
/// is enough to flip a draw). Accurate to about 1e-12 relative, far more than a simulation needs.
public enum DeterministicMath {
    static let ln2 = 0.693_147_180_559_945_3

    /// e^x for |x| < 700.
    public static func exp(_ x: Double) -> Double {
        guard x > -700 else { return 0 }
        guard x < 700 else { return .infinity }
        let k = (x / ln2).rounded()
        let r = x - k * ln2  // |r| ≤ ln2/2
        var term = 1.0
        var sum = 1.0
        for n in 1...18 {
            term *= r / Double(n)
            sum += term
        }
        return scale(sum, Int(k))
    }

    /// The natural logarithm of a positive finite number.
    public static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log of \(x)")
        // x = m · 2^e with m in [1/√2, √2), then log m = 2·atanh((m−1)/(m+1)).
        var m = x
        var e = 0
        while m >= 1.414_213_562_373_095 { m /= 2; e += 1 }
        while m < 0.707_106_781_186_547_5 { m *= 2; e -= 1 }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var power = s
        var sum = 0.0
        var n = 1.0
        while n < 60 {
            sum += power / n
            power *= s2
            n += 2
        }
        return 2 * sum + Double(e) * ln2
    }

    /// value · 2^k by repeated exact doubling or halving.
    private static func scale(_ value: Double, _ k: Int) -> Double {
        var result = value
        if k > 0 { for _ in 0..<k { result *= 2 } } else if k < 0 { for _ in 0..<(-k) { result /= 2 } }
        return result
    }
}

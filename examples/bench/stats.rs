//! Statistics of repeated timings: the median (what the tables report), the extremes, and the spread between rounds
//! (the noise figure: "time the same version twice; a difference smaller than that spread is noise").

/// The median of `xs` (the mean of the two middle values for an even count); NaN for an empty slice or one that
/// holds a NaN.
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// What the repetitions of one implementation measured, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Median over every repetition of every round.
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Repetitions in all.
    pub n: usize,
    /// (largest round median − smallest round median) / overall median; 0 with one round.
    pub round_spread: f64,
}

/// Summarises timings taken in `rounds` (each a list of per-repetition seconds). Empty rounds are ignored; with no
/// timing at all every field is NaN (and `n` 0).
pub fn summarize(rounds: &[Vec<f64>]) -> Summary {
    let all: Vec<f64> = rounds.iter().flatten().copied().collect();
    if all.is_empty() {
        return Summary { median: f64::NAN, min: f64::NAN, max: f64::NAN, n: 0, round_spread: f64::NAN };
    }
    let med = median(&all);
    let round_medians: Vec<f64> = rounds.iter().filter(|r| !r.is_empty()).map(|r| median(r)).collect();
    let hi = round_medians.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = round_medians.iter().copied().fold(f64::INFINITY, f64::min);
    Summary {
        median: med,
        min: all.iter().copied().fold(f64::INFINITY, f64::min),
        max: all.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        n: all.len(),
        round_spread: if med > 0.0 { (hi - lo) / med } else { f64::NAN },
    }
}

/// Bytes per second → GB/s (10^9 bytes).
pub fn gbps(bytes: f64, seconds: f64) -> f64 {
    bytes / seconds / 1e9
}

/// Floating-point operations per second → TFLOP/s (10^12).
pub fn tflops(flops: f64, seconds: f64) -> f64 {
    flops / seconds / 1e12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even_empty_nan() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
        assert!(median(&[1.0, f64::NAN]).is_nan());
        // Order of the input does not matter and it is not modified.
        let xs = [5.0, 9.0, 1.0, 1.0, 2.0];
        assert_eq!(median(&xs), 2.0);
        assert_eq!(xs, [5.0, 9.0, 1.0, 1.0, 2.0]);
    }

    #[test]
    fn summary_over_rounds() {
        let s = summarize(&[vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0]]);
        assert_eq!(s.n, 6);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 6.0);
        assert_eq!(s.median, 2.5); // of 1 2 2 3 4 6
        assert!((s.round_spread - (4.0 - 2.0) / 2.5).abs() < 1e-12);
        let one = summarize(&[vec![0.5, 0.25, 1.0]]);
        assert_eq!(one.median, 0.5);
        assert_eq!(one.round_spread, 0.0);
        let skip_empty = summarize(&[vec![], vec![1.0]]);
        assert_eq!(skip_empty.round_spread, 0.0);
        let none = summarize(&[]);
        assert_eq!(none.n, 0);
        assert!(none.median.is_nan());
    }

    #[test]
    fn rates() {
        assert_eq!(gbps(2e9, 0.5), 4.0);
        assert_eq!(tflops(3e12, 1.5), 2.0);
    }
}

//! Two-arm comparisons of simulated trial endpoints, matching SciPy 1.17 (`ttest_ind`,
//! `mannwhitneyu`, `fisher_exact`, `chi2_contingency`, `binomtest`) so a virtual trial's tests
//! are the ones a statistician would run on real data.

use serde::Serialize;
use statrs::distribution::{Beta, ChiSquared as ChiSquaredDist, ContinuousCDF, Discrete, Hypergeometric};
use statrs::distribution::{Normal, StudentsT};

/// Two-sample t-test of a continuous endpoint; the interval is the 95% CI of mean(a) − mean(b).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TTest {
    pub mean_difference: f64,
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Mann–Whitney U test (normal approximation, tie and continuity corrected); `u` is a's U.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankSum {
    pub u: f64,
    pub p_value: f64,
}

/// Fisher's exact test of a 2×2 table, two-sided; the sample odds ratio (∞ when b·c = 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fisher {
    pub odds_ratio: f64,
    pub p_value: f64,
}

/// Pearson's chi-squared test of a 2×2 table with Yates' continuity correction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChiSquared {
    pub statistic: f64,
    pub p_value: f64,
}

fn check_finite(x: &[f64], what: &str) -> Result<(), String> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(format!("{what}: value {i} is {}, not finite", x[i])),
        None => Ok(()),
    }
}

/// Mean and sample variance (n − 1); the variance is 0 for a single value.
fn mean_variance(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, if x.len() > 1 { ss / (n - 1.0) } else { 0.0 })
}

/// Standard error of the difference and degrees of freedom: pooled variance, or Welch's
/// per-group variances with the Welch–Satterthwaite df.
fn standard_error(a: &[f64], b: &[f64], va: f64, vb: f64, equal_variance: bool) -> (f64, f64) {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if equal_variance {
        let df = na + nb - 2.0;
        let pooled = ((na - 1.0) * va + (nb - 1.0) * vb) / df;
        ((pooled * (1.0 / na + 1.0 / nb)).sqrt(), df)
    } else {
        let (ea, eb) = (va / na, vb / nb);
        ((ea + eb).sqrt(), (ea + eb) * (ea + eb) / (ea * ea / (na - 1.0) + eb * eb / (nb - 1.0)))
    }
}

/// Two-sided two-sample t-test (`scipy.stats.ttest_ind`; Welch's when `!equal_variance`).
pub fn t_test(a: &[f64], b: &[f64], equal_variance: bool) -> Result<TTest, String> {
    check_finite(a, "t-test, group a")?;
    check_finite(b, "t-test, group b")?;
    let minimum = if equal_variance { 1 } else { 2 };
    if a.len() < minimum || b.len() < minimum || a.len() + b.len() < 3 {
        return Err(format!("t-test: groups of {} and {} values are too small", a.len(), b.len()));
    }
    let ((ma, va), (mb, vb)) = (mean_variance(a), mean_variance(b));
    let (se, df) = standard_error(a, b, va, vb, equal_variance);
    if se <= 0.0 || !se.is_finite() {
        return Err(format!("t-test: the standard error is {se} (zero variance, or values too large)"));
    }
    let t = StudentsT::new(0.0, 1.0, df).map_err(|e| format!("t-test: {e}"))?;
    let (difference, quantile) = (ma - mb, t.inverse_cdf(0.975));
    let statistic = difference / se;
    Ok(TTest {
        mean_difference: difference,
        statistic,
        df,
        p_value: (2.0 * t.sf(statistic.abs())).min(1.0),
        ci_low: difference - quantile * se,
        ci_high: difference + quantile * se,
    })
}

/// Two-sided one-sample t-test of the mean against 0 (`scipy.stats.ttest_1samp`), with the 95%
/// CI of the mean: a case series' change from baseline. `mean_difference` is the mean.
pub fn one_sample_t_test(x: &[f64]) -> Result<TTest, String> {
    check_finite(x, "one-sample t-test")?;
    if x.len() < 2 {
        return Err(format!("one-sample t-test: {} values are too few", x.len()));
    }
    let (mean, variance) = mean_variance(x);
    let (n, df) = (x.len() as f64, x.len() as f64 - 1.0);
    let se = (variance / n).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return Err(format!("one-sample t-test: the standard error is {se} (zero variance)"));
    }
    let t = StudentsT::new(0.0, 1.0, df).map_err(|e| format!("one-sample t-test: {e}"))?;
    let (statistic, quantile) = (mean / se, t.inverse_cdf(0.975));
    Ok(TTest {
        mean_difference: mean,
        statistic,
        df,
        p_value: (2.0 * t.sf(statistic.abs())).min(1.0),
        ci_low: mean - quantile * se,
        ci_high: mean + quantile * se,
    })
}

/// Average ranks (1-based) of the pooled values and the sizes of the tie blocks.
fn average_ranks(values: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let (mut ranks, mut ties) = (vec![0.0; values.len()], Vec::new());
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        order[start..end].iter().for_each(|&i| ranks[i] = rank);
        ties.push((end - start) as f64);
        start = end;
    }
    (ranks, ties)
}

/// Two-sided Mann–Whitney U test (`scipy.stats.mannwhitneyu`, asymptotic method, continuity
/// correction): the rank test for skewed endpoints such as spasm counts.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Result<RankSum, String> {
    check_finite(a, "Mann-Whitney, group a")?;
    check_finite(b, "Mann-Whitney, group b")?;
    if a.is_empty() || b.is_empty() {
        return Err("Mann-Whitney: an empty group".into());
    }
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let (ranks, ties) = average_ranks(&pooled);
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let n = n1 + n2;
    let u1 = ranks[..a.len()].iter().sum::<f64>() - n1 * (n1 + 1.0) / 2.0;
    let tie_term: f64 = ties.iter().map(|t| t * t * t - t).sum();
    let s = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    if s <= 0.0 {
        return Err("Mann-Whitney: all values are tied".into());
    }
    let z = (u1.max(n1 * n2 - u1) - n1 * n2 / 2.0 - 0.5) / s;
    Ok(RankSum { u: u1, p_value: (2.0 * Normal::standard().sf(z)).clamp(0.0, 1.0) })
}

/// Row sums, column sums and total, refusing tables whose margins are empty or overflow.
fn margins(table: [[u64; 2]; 2], what: &str) -> Result<([u64; 2], [u64; 2], u64), String> {
    let add = |x: u64, y: u64| x.checked_add(y).ok_or_else(|| format!("{what}: counts overflow"));
    let rows = [add(table[0][0], table[0][1])?, add(table[1][0], table[1][1])?];
    let columns = [add(table[0][0], table[1][0])?, add(table[0][1], table[1][1])?];
    if rows.contains(&0) {
        return Err(format!("{what}: a row (group) is empty"));
    }
    if columns.contains(&0) {
        return Err(format!("{what}: a column (outcome) is empty, so there is nothing to compare"));
    }
    Ok((rows, columns, add(rows[0], rows[1])?))
}

/// Relative tolerance when collecting tables as probable as the observed one: mathematically
/// equal probabilities (symmetric margins) must not be split by rounding.
const FISHER_TOLERANCE: f64 = 1.0 + 1e-7;

/// Two-sided Fisher exact test (`scipy.stats.fisher_exact`): the probability, under fixed
/// margins, of every table no more probable than the observed one.
pub fn fisher_exact(table: [[u64; 2]; 2]) -> Result<Fisher, String> {
    let (rows, columns, total) = margins(table, "Fisher")?;
    let odds_ratio = match table[1][0] > 0 && table[0][1] > 0 {
        true => (table[0][0] as f64 * table[1][1] as f64) / (table[1][0] as f64 * table[0][1] as f64),
        false => f64::INFINITY,
    };
    let law = Hypergeometric::new(total, rows[0], columns[0]).map_err(|e| format!("Fisher: {e}"))?;
    let threshold = law.pmf(table[0][0]) * FISHER_TOLERANCE;
    let (low, high) = (columns[0].saturating_sub(rows[1]), rows[0].min(columns[0]));
    // The most probable table (the mode) leaves nothing out: exactly 1, as SciPy, not a rounded sum.
    let mode = ((columns[0] as u128 + 1) * (rows[0] as u128 + 1) / (total as u128 + 2)) as u64;
    if law.pmf(mode) <= threshold {
        return Ok(Fisher { odds_ratio, p_value: 1.0 });
    }
    let p: f64 = (low..=high).map(|x| law.pmf(x)).filter(|&p| p <= threshold).sum();
    Ok(Fisher { odds_ratio, p_value: p.min(1.0) })
}

/// Chi-squared test of independence on a 2×2 table with Yates' correction
/// (`scipy.stats.chi2_contingency(table, correction=True)`): each count moves half a unit
/// towards its expectation, never past it.
pub fn chi_squared_2x2(table: [[u64; 2]; 2]) -> Result<ChiSquared, String> {
    let (rows, columns, total) = margins(table, "chi-squared")?;
    let mut statistic = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            let expected = rows[i] as f64 * columns[j] as f64 / total as f64;
            let gap = expected - count as f64;
            let corrected = gap - gap.signum() * gap.abs().min(0.5);
            statistic += corrected * corrected / expected;
        }
    }
    let law = ChiSquaredDist::new(1.0).map_err(|e| format!("chi-squared: {e}"))?;
    Ok(ChiSquared { statistic, p_value: law.sf(statistic) })
}

/// Clopper–Pearson exact 95% interval of a proportion (`binomtest(k, n).proportion_ci(0.95,
/// method="exact")`), for the power estimated from simulated trials.
pub fn binomial_ci(successes: u64, n: u64) -> Result<(f64, f64), String> {
    if n == 0 {
        return Err("binomial CI: no trials".into());
    }
    if successes > n {
        return Err(format!("binomial CI: {successes} successes in {n} trials"));
    }
    let (k, n) = (successes as f64, n as f64);
    let quantile = |a: f64, b: f64, p: f64| {
        Beta::new(a, b).map(|d| d.inverse_cdf(p)).map_err(|e| format!("binomial CI: {e}"))
    };
    let low = if successes == 0 { 0.0 } else { quantile(k, n - k + 1.0, 0.025)? };
    let high = if k == n { 1.0 } else { quantile(k + 1.0, n - k, 0.975)? };
    Ok((low, high))
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_sample_t_test_matches_the_hand_computed_value() {
        // [1, 2, 3, 4]: mean 2.5, se 0.645497, t = 3.872983 on 3 df, p = 0.030466
        // (scipy.stats.ttest_1samp), 95% CI 2.5 ± 3.182446 · 0.645497.
        let t = one_sample_t_test(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((t.statistic - 3.872983).abs() < 1e-6 && t.df == 3.0);
        assert!((t.p_value - 0.030466).abs() < 1e-5, "{}", t.p_value);
        assert!((t.ci_low - 0.445740).abs() < 1e-5 && (t.ci_high - 4.554260).abs() < 1e-5, "{t:?}");
        assert!(one_sample_t_test(&[3.0]).is_err() && one_sample_t_test(&[2.0, 2.0]).is_err());
    }

    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// [1,2,3] vs [4,5,6]: difference −3, pooled variance 1, SE √(2/3), t = −3/√(2/3), df 4.
    #[test]
    fn t_test_by_hand() {
        let r = t_test(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], true).unwrap();
        let se = (2.0_f64 / 3.0).sqrt();
        assert!(close(r.mean_difference, -3.0, 1e-15));
        assert!(close(r.statistic, -3.0 / se, 1e-12));
        assert_eq!(r.df, 4.0);
        assert!(close(r.p_value, 0.021311641128756713, 1e-10), "{}", r.p_value);
        // t(4) 97.5% quantile 2.7764451051977987.
        assert!(close(r.ci_low, -3.0 - 2.7764451051977987 * se, 1e-9), "{}", r.ci_low);
        assert!(close(r.ci_high, -3.0 + 2.7764451051977987 * se, 1e-9));
    }

    /// Welch on [1,2,3,4] (variance 5/3) vs [2,4] (variance 2): df = 867/457 by hand.
    #[test]
    fn welch_by_hand() {
        let r = t_test(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0], false).unwrap();
        assert!(close(r.df, 867.0 / 457.0, 1e-12), "{}", r.df);
        assert!(close(r.statistic, -0.5 / (17.0_f64 / 12.0).sqrt(), 1e-12));
        assert!(close(r.p_value, 0.7171916245735042, 1e-8), "{}", r.p_value);
        assert!(close(r.ci_low, -5.896640828912382, 1e-7), "{}", r.ci_low);
    }

    #[test]
    fn swapping_groups_flips_the_difference() {
        let (a, b) = ([0.3, 1.9, 2.2, 4.0, 0.1], [1.0, 2.5, 3.3, 2.9]);
        for equal in [true, false] {
            let (ab, ba) = (t_test(&a, &b, equal).unwrap(), t_test(&b, &a, equal).unwrap());
            assert!(close(ab.mean_difference, -ba.mean_difference, 1e-15));
            assert!(close(ab.statistic, -ba.statistic, 1e-12) && close(ab.p_value, ba.p_value, 1e-12));
            assert!(close(ab.ci_low, -ba.ci_high, 1e-12));
            assert!(ab.ci_low < ab.mean_difference && ab.mean_difference < ab.ci_high);
            assert!((0.0..=1.0).contains(&ab.p_value));
        }
    }

    #[test]
    fn t_test_degenerate_input_is_an_error() {
        assert!(t_test(&[1.0, 1.0], &[1.0, 1.0, 1.0], true).unwrap_err().contains("zero variance"));
        assert!(t_test(&[1.0], &[2.0, 3.0], false).is_err());
        assert!(t_test(&[], &[2.0, 3.0], true).is_err());
        assert!(t_test(&[1.0, f64::NAN], &[2.0, 3.0], true).is_err());
    }

    /// Complete separation of 3 vs 3: U1 = 0, z = (9 − 4.5 − 0.5)/√(9·7/12).
    #[test]
    fn mann_whitney_by_hand() {
        let r = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(r.u, 0.0);
        assert!(close(r.p_value, 0.08085559837005224, 1e-10), "{}", r.p_value);
        // Ties: ranks of [1,2,2,3 | 2,5,6] are 1,3,3,5 | 3,6,7, so U1 = 12 − 10 = 2.
        let r = mann_whitney(&[1.0, 2.0, 2.0, 3.0], &[2.0, 5.0, 6.0]).unwrap();
        assert_eq!(r.u, 2.0);
        assert!(close(r.p_value, 0.19908985214820463, 1e-10), "{}", r.p_value);
        assert!(mann_whitney(&[1.0, 1.0], &[1.0]).is_err());
        assert!(mann_whitney(&[], &[1.0]).is_err());
    }

    #[test]
    fn fisher_tea_tasting() {
        let r = fisher_exact([[3, 1], [1, 3]]).unwrap();
        assert_eq!(r.odds_ratio, 9.0);
        assert!(close(r.p_value, 17.0 / 35.0, 1e-12), "{}", r.p_value);
        // SciPy's documented example.
        assert!(close(fisher_exact([[8, 2], [1, 5]]).unwrap().p_value, 0.034965034965034975, 1e-12));
        assert_eq!(fisher_exact([[2, 0], [1, 3]]).unwrap().odds_ratio, f64::INFINITY);
        assert_eq!(fisher_exact([[2, 2], [2, 2]]).unwrap().p_value, 1.0);
        assert!(fisher_exact([[0, 0], [1, 3]]).is_err());
    }

    /// [[10,20],[30,40]]: expectations 12, 18, 28, 42, every gap 2 corrected to 1.5, so
    /// χ² = 2.25·(1/12 + 1/18 + 1/28 + 1/42) = 2.25·25/126.
    #[test]
    fn chi_squared_by_hand() {
        let r = chi_squared_2x2([[10, 20], [30, 40]]).unwrap();
        assert!(close(r.statistic, 2.25 * 25.0 / 126.0, 1e-12), "{}", r.statistic);
        assert!(close(r.p_value, 0.5040358664525046, 1e-10), "{}", r.p_value);
        // A gap under 0.5 is closed, not overshot: the statistic is then 0.
        assert_eq!(chi_squared_2x2([[5, 5], [5, 6]]).unwrap().statistic, 0.0);
        assert!(chi_squared_2x2([[0, 3], [0, 4]]).is_err());
    }

    /// k = 0 and k = n have closed forms: 1 − 0.025^(1/n) and 0.025^(1/n).
    #[test]
    fn binomial_ci_edges_and_containment() {
        let edge = 1.0 - 0.025_f64.powf(0.1);
        let (low, high) = binomial_ci(0, 10).unwrap();
        assert!(low == 0.0 && close(high, edge, 1e-10), "{high}");
        let (low, high) = binomial_ci(10, 10).unwrap();
        assert!(close(low, 1.0 - edge, 1e-10) && high == 1.0);
        let (low, high) = binomial_ci(3, 10).unwrap();
        assert!(close(low, 0.06673951117773447, 1e-9) && close(high, 0.652452850060008, 1e-9));
        for (k, n) in [(1, 7), (40, 100), (999, 1000)] {
            let ((low, high), estimate) = (binomial_ci(k, n).unwrap(), k as f64 / n as f64);
            assert!(low < estimate && estimate < high);
        }
        assert!(binomial_ci(0, 0).is_err() && binomial_ci(5, 4).is_err());
    }
}

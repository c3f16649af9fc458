//! 5-HT2B/2C receptors: the two-state model with constitutive activity (Leff 1995 Trends
//! Pharmacol Sci 16:89), a constitutively active isoform whose share rises after serotonergic
//! denervation (Murray et al. 2010 Nat Med 16:694), and receptor density as a slow state.
//!
//! R ⇌ R* with L = [R*]/[R]; ligands j with normalised concentration x_j = [X_j]/K_j and
//! efficacy α_j compete:
//! f* = L(1 + Σ α_j x_j) / (1 + Σ x_j + L(1 + Σ α_j x_j)).
//! With no ligand f* = L/(1+L): the constitutive activity that remains when 5-HT is gone.
//! Each subtype is a mixture of two isoforms with the same ligand affinities and efficacies
//! but different L: the innervated form (L₀) and the constitutively active form (L₁ ≫ L₀).

/// A receptor subtype's constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subtype {
    /// Isomerisation constant L₀ of the receptors of the innervated cord.
    pub constitutive_ratio: f64,
    /// Isomerisation constant L₁ of the constitutively active isoform (unedited 5-HT2C).
    pub active_isoform_ratio: f64,
    /// 5-HT dissociation constant, nM.
    pub kd_serotonin: f64,
    /// 5-HT efficacy α.
    pub serotonin_efficacy: f64,
}

/// The drugs bound at one subtype: Σ x_j and Σ α_j x_j.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LigandLoad {
    pub occupancy_sum: f64,
    pub efficacy_sum: f64,
}

impl LigandLoad {
    /// Add a ligand at normalised concentration `x` with efficacy `alpha`.
    pub fn add(&mut self, x: f64, alpha: f64) {
        self.occupancy_sum += x;
        self.efficacy_sum += alpha * x;
    }
}

/// Active fraction R*/(R + R*) of a two-state receptor with isomerisation constant `l`, 5-HT at
/// normalised concentration `s` (efficacy `alpha`) and the drugs `drugs`.
pub fn two_state_active(l: f64, s: f64, alpha: f64, drugs: LigandLoad) -> f64 {
    let activated = l * (1.0 + alpha * s + drugs.efficacy_sum);
    activated / (1.0 + s + drugs.occupancy_sum + activated)
}

impl Subtype {
    /// Fraction of receptors in the active state R*, with 5-HT at `serotonin_nm`, when a share
    /// `isoform_shift` of them is the constitutively active isoform.
    pub fn active_fraction(&self, isoform_shift: f64, serotonin_nm: f64, drugs: LigandLoad) -> f64 {
        let s = serotonin_nm / self.kd_serotonin;
        let alpha = self.serotonin_efficacy;
        let innervated = two_state_active(self.constitutive_ratio, s, alpha, drugs);
        if isoform_shift <= 0.0 {
            return innervated;
        }
        let active = two_state_active(self.active_isoform_ratio, s, alpha, drugs);
        innervated + isoform_shift * (active - innervated)
    }

    /// Fraction of innervated-form receptors with 5-HT bound (the two-state model's
    /// s(1 + Lα) / (1 + s + L(1 + αs))): the agonist signal whose excess desensitises.
    pub fn serotonin_occupancy(&self, serotonin_nm: f64) -> f64 {
        let s = serotonin_nm / self.kd_serotonin;
        let (l, alpha) = (self.constitutive_ratio, self.serotonin_efficacy);
        s * (1.0 + l * alpha) / (1.0 + s + l * (1.0 + alpha * s))
    }
}

/// Receptor density (x baseline) towards which the slow state relaxes: it rises by up to
/// `max_rise` with the loss of descending serotonergic projections (1 − raphe survival:
/// denervation supersensitivity, driven by the lost innervation, not by a low 5-HT level), and
/// falls by `desensitisation` per unit of 5-HT occupancy above the healthy one (agonist-driven
/// down-regulation: an SSRI in an innervated cord). Never below a fifth of baseline.
pub fn density_target(
    raphe_survival: f64,
    max_rise: f64,
    occupancy_excess: f64,
    desensitisation: f64,
) -> f64 {
    let rise = max_rise * (1.0 - raphe_survival).clamp(0.0, 1.0);
    (1.0 + rise - desensitisation * occupancy_excess.max(0.0)).max(0.2)
}

/// d(density)/dt.
pub fn density_rate(density: f64, target: f64, time_constant: f64) -> f64 {
    (target - density) / time_constant
}

/// Share of receptors in the constitutively active isoform towards which the slow state relaxes:
/// proportional to the loss of descending serotonergic projections (1 − raphe survival), up to
/// `max_share` after complete denervation. Driven by denervation, not by the 5-HT level
/// (docs/model.md §3).
pub fn isoform_target(raphe_survival: f64, max_share: f64) -> f64 {
    max_share * (1.0 - raphe_survival).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subtype() -> Subtype {
        Subtype {
            constitutive_ratio: 0.1,
            active_isoform_ratio: 1.0,
            kd_serotonin: 10.0,
            serotonin_efficacy: 20.0,
        }
    }

    #[test]
    fn basal_activity_is_l_over_one_plus_l() {
        let f = subtype().active_fraction(0.0, 0.0, LigandLoad::default());
        assert!((f - 0.1 / 1.1).abs() < 1e-15);
        let f = subtype().active_fraction(1.0, 0.0, LigandLoad::default());
        assert!((f - 0.5).abs() < 1e-15);
    }

    #[test]
    fn isoform_shift_mixes_the_two_forms_linearly() {
        let r = subtype();
        let none = LigandLoad::default();
        let (a, b) = (r.active_fraction(0.0, 3.0, none), r.active_fraction(1.0, 3.0, none));
        let mid = r.active_fraction(0.25, 3.0, none);
        assert!((mid - (0.75 * a + 0.25 * b)).abs() < 1e-15);
        assert!(b > a, "the active isoform is more active");
    }

    #[test]
    fn ligand_classes_move_activity_the_right_way() {
        let r = subtype();
        for shift in [0.0, 0.5, 1.0] {
            let basal = r.active_fraction(shift, 0.0, LigandLoad::default());
            let with = |alpha: f64| {
                let mut load = LigandLoad::default();
                load.add(10.0, alpha);
                r.active_fraction(shift, 0.0, load)
            };
            assert!(with(5.0) > basal, "agonist raises activity");
            assert!((with(1.0) - basal).abs() < 1e-12, "neutral antagonist leaves basal activity");
            assert!(with(0.01) < basal, "inverse agonist lowers constitutive activity");
        }
    }

    #[test]
    fn density_rises_with_denervation_and_falls_with_excess_agonist() {
        assert_eq!(density_target(1.0, 1.0, 0.0, 0.4), 1.0);
        assert!((density_target(0.25, 1.0, 0.0, 0.4) - 1.75).abs() < 1e-15);
        assert!((density_target(1.0, 1.0, 0.5, 0.4) - 0.8).abs() < 1e-15);
        assert_eq!(density_target(1.0, 1.0, 100.0, 0.4), 0.2, "floor at a fifth of baseline");
        assert_eq!(density_target(0.5, 1.0, -1.0, 0.4), 1.5, "a 5-HT deficit does not desensitise");
    }

    #[test]
    fn isoform_target_follows_denervation() {
        assert_eq!(isoform_target(1.0, 0.8), 0.0);
        assert!((isoform_target(0.25, 0.8) - 0.6).abs() < 1e-15);
        assert_eq!(isoform_target(-0.1, 0.8), 0.8);
    }
}

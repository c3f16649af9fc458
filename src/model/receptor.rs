//! 5-HT2B/2C receptors: the two-state model with constitutive activity (Leff 1995 Trends
//! Pharmacol Sci 16:89) and receptor density as a slow state.
//!
//! R ⇌ R* with L = [R*]/[R]; ligands j with normalised concentration x_j = [X_j]/K_j and
//! efficacy α_j compete:
//! f* = L(1 + Σ α_j x_j) / (1 + Σ x_j + L(1 + Σ α_j x_j)).
//! With no ligand f* = L/(1+L): the constitutive activity that remains when 5-HT is gone.

/// A receptor subtype's constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subtype {
    /// Isomerisation constant L.
    pub constitutive_ratio: f64,
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

impl Subtype {
    /// Fraction of receptors in the active state R*, with 5-HT at `serotonin_nm`.
    pub fn active_fraction(&self, serotonin_nm: f64, drugs: LigandLoad) -> f64 {
        let s = serotonin_nm / self.kd_serotonin;
        let l = self.constitutive_ratio;
        let activated = l * (1.0 + self.serotonin_efficacy * s + drugs.efficacy_sum);
        activated / (1.0 + s + drugs.occupancy_sum + activated)
    }

    /// Fraction of receptors with 5-HT bound (the agonist signal whose loss drives
    /// supersensitivity). Competition with drugs lowers it. Exact for the two-state model:
    /// P(5-HT bound) = s(1 + Lα) / (1 + s + Σx + L(1 + αs + Σαx)).
    pub fn serotonin_occupancy(&self, serotonin_nm: f64, drugs: LigandLoad) -> f64 {
        let s = serotonin_nm / self.kd_serotonin;
        let l = self.constitutive_ratio;
        let activated = l * (1.0 + self.serotonin_efficacy * s + drugs.efficacy_sum);
        s * (1.0 + l * self.serotonin_efficacy) / (1.0 + s + drugs.occupancy_sum + activated)
    }
}

/// Receptor density (x baseline) towards which the slow state relaxes: it rises by up to
/// `max_rise` as 5-HT occupancy falls below its baseline (denervation supersensitivity).
pub fn density_target(occupancy_ratio: f64, max_rise: f64) -> f64 {
    1.0 + max_rise * (1.0 - occupancy_ratio).clamp(0.0, 1.0)
}

/// d(density)/dt.
pub fn density_rate(density: f64, target: f64, time_constant: f64) -> f64 {
    (target - density) / time_constant
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subtype() -> Subtype {
        Subtype { constitutive_ratio: 0.1, kd_serotonin: 10.0, serotonin_efficacy: 20.0 }
    }

    #[test]
    fn basal_activity_is_l_over_one_plus_l() {
        let f = subtype().active_fraction(0.0, LigandLoad::default());
        assert!((f - 0.1 / 1.1).abs() < 1e-15);
    }

    #[test]
    fn ligand_classes_move_activity_the_right_way() {
        let r = subtype();
        let basal = r.active_fraction(0.0, LigandLoad::default());
        let with = |alpha: f64| {
            let mut load = LigandLoad::default();
            load.add(10.0, alpha);
            r.active_fraction(0.0, load)
        };
        assert!(with(5.0) > basal, "agonist raises activity");
        assert!((with(1.0) - basal).abs() < 1e-12, "neutral antagonist leaves basal activity");
        assert!(with(0.01) < basal, "inverse agonist lowers constitutive activity");
    }

    #[test]
    fn occupancy_is_a_fraction_and_falls_with_competition() {
        let r = subtype();
        let alone = r.serotonin_occupancy(10.0, LigandLoad::default());
        let mut load = LigandLoad::default();
        load.add(100.0, 1.0);
        let displaced = r.serotonin_occupancy(10.0, load);
        assert!(alone > 0.0 && alone < 1.0);
        assert!(displaced < alone);
    }
}

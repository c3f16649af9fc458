//! Model, drug and scenario files compiled into the binary, so `raphe simulate` runs the
//! default model from any directory. The files in `models/` are the single source.

/// (name, TOML text) of the bundled models.
pub const MODELS: &[(&str, &str)] = &[
    ("human_als", include_str!("../models/human_als.toml")),
    ("als_ms_overlap", include_str!("../models/als_ms_overlap.toml")),
    ("sod1_g86r_mouse", include_str!("../models/sod1_g86r_mouse.toml")),
];

/// (name, TOML text) of the bundled drugs.
pub const DRUGS: &[(&str, &str)] = &[
    ("5htp", include_str!("../models/drugs/5htp.toml")),
    ("baclofen", include_str!("../models/drugs/baclofen.toml")),
    ("bw723c86", include_str!("../models/drugs/bw723c86.toml")),
    ("clonidine", include_str!("../models/drugs/clonidine.toml")),
    ("cyproheptadine", include_str!("../models/drugs/cyproheptadine.toml")),
    ("dantrolene", include_str!("../models/drugs/dantrolene.toml")),
    ("diazepam", include_str!("../models/drugs/diazepam.toml")),
    ("escitalopram", include_str!("../models/drugs/escitalopram.toml")),
    ("sb206553", include_str!("../models/drugs/sb206553.toml")),
    ("sb242084", include_str!("../models/drugs/sb242084.toml")),
    ("tizanidine", include_str!("../models/drugs/tizanidine.toml")),
];

/// (name, TOML text) of the bundled scenarios.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "baclofen_intrathecal_abrupt_stop",
        include_str!("../models/scenarios/baclofen_intrathecal_abrupt_stop.toml"),
    ),
    ("baclofen_intrathecal_late", include_str!("../models/scenarios/baclofen_intrathecal_late.toml")),
    ("baclofen_itb_trial_table", include_str!("../models/scenarios/baclofen_itb_trial_table.toml")),
    ("baclofen_oral_tid", include_str!("../models/scenarios/baclofen_oral_tid.toml")),
    ("baclofen_oral_titration", include_str!("../models/scenarios/baclofen_oral_titration.toml")),
    (
        "baclofen_tizanidine_combination",
        include_str!("../models/scenarios/baclofen_tizanidine_combination.toml"),
    ),
    ("bw723c86_mouse", include_str!("../models/scenarios/bw723c86_mouse.toml")),
    ("clonidine_oral", include_str!("../models/scenarios/clonidine_oral.toml")),
    ("cyproheptadine_oral", include_str!("../models/scenarios/cyproheptadine_oral.toml")),
    ("cyproheptadine_titration", include_str!("../models/scenarios/cyproheptadine_titration.toml")),
    ("dantrolene_titration", include_str!("../models/scenarios/dantrolene_titration.toml")),
    ("diazepam_oral", include_str!("../models/scenarios/diazepam_oral.toml")),
    ("escitalopram_early", include_str!("../models/scenarios/escitalopram_early.toml")),
    ("exercise_stretching", include_str!("../models/scenarios/exercise_stretching.toml")),
    ("sb206553_mouse", include_str!("../models/scenarios/sb206553_mouse.toml")),
    ("sb206553_mouse_acute", include_str!("../models/scenarios/sb206553_mouse_acute.toml")),
    ("sb242084_mouse", include_str!("../models/scenarios/sb242084_mouse.toml")),
    ("serotonin_precursor_5htp", include_str!("../models/scenarios/serotonin_precursor_5htp.toml")),
    ("tizanidine_single_8mg", include_str!("../models/scenarios/tizanidine_single_8mg.toml")),
    ("tizanidine_oral_tid", include_str!("../models/scenarios/tizanidine_oral_tid.toml")),
];

/// (name, TOML text) of the bundled trials.
pub const TRIALS: &[(&str, &str)] = &[
    ("exercise_rct", include_str!("../models/trials/exercise_rct.toml")),
    ("inverse_agonist_power", include_str!("../models/trials/inverse_agonist_power.toml")),
    ("itb_late_als", include_str!("../models/trials/itb_late_als.toml")),
    ("tizanidine_bp", include_str!("../models/trials/tizanidine_bp.toml")),
];

/// A bundled trial's display path and text.
pub fn trial(name: &str) -> Option<(String, &'static str)> {
    find(TRIALS, name).map(|t| (format!("<bundled>/models/trials/{name}.toml"), t))
}

/// (name, TOML text) of the validation facts (`raphe validate`).
pub const VALIDATION: &[(&str, &str)] = &[
    (
        "fact01_serotonin_before_onset",
        include_str!("../models/validation/fact01_serotonin_before_onset.toml"),
    ),
    ("fact02_mouse_spasms_late", include_str!("../models/validation/fact02_mouse_spasms_late.toml")),
    ("fact03_receptor_density", include_str!("../models/validation/fact03_receptor_density.toml")),
    ("fact04_inverse_agonist", include_str!("../models/validation/fact04_inverse_agonist.toml")),
    ("fact05_alsfrs_slopes", include_str!("../models/validation/fact05_alsfrs_slopes.toml")),
    ("fact06_survival", include_str!("../models/validation/fact06_survival.toml")),
    ("fact07_itb_pain", include_str!("../models/validation/fact07_itb_pain.toml")),
    ("fact08_baclofen_pk", include_str!("../models/validation/fact08_baclofen_pk.toml")),
    ("fact09_tizanidine_bp", include_str!("../models/validation/fact09_tizanidine_bp.toml")),
    ("fact10_dantrolene_liver", include_str!("../models/validation/fact10_dantrolene_liver.toml")),
    ("fact11_lmn_loss", include_str!("../models/validation/fact11_lmn_loss.toml")),
    ("fact12_inverse_vs_neutral", include_str!("../models/validation/fact12_inverse_vs_neutral.toml")),
    ("fact13_ssri_raises_spasms", include_str!("../models/validation/fact13_ssri_raises_spasms.toml")),
    ("fact14_pic_monotone", include_str!("../models/validation/fact14_pic_monotone.toml")),
    ("fact15_modest_antispastics", include_str!("../models/validation/fact15_modest_antispastics.toml")),
];

/// (file name, text) of the dosing tables that bundled scenarios refer to.
pub const TABLES: &[(&str, &str)] =
    &[("baclofen_itb_trial_table.csv", include_str!("../models/scenarios/baclofen_itb_trial_table.csv"))];

/// A bundled dosing table by file name.
pub fn table(file: &str) -> Option<&'static str> {
    find(TABLES, file)
}

/// The default model.
pub const DEFAULT_MODEL: &str = "human_als";

fn find(table: &'static [(&str, &str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|&(_, t)| t)
}

/// A bundled model's display path and text.
pub fn model(name: &str) -> Option<(String, &'static str)> {
    find(MODELS, name).map(|t| (format!("<bundled>/models/{name}.toml"), t))
}

/// A bundled drug's display path and text.
pub fn drug(name: &str) -> Option<(String, &'static str)> {
    find(DRUGS, name).map(|t| (format!("<bundled>/models/drugs/{name}.toml"), t))
}

/// A bundled scenario's display path and text.
pub fn scenario(name: &str) -> Option<(String, &'static str)> {
    find(SCENARIOS, name).map(|t| (format!("<bundled>/models/scenarios/{name}.toml"), t))
}

/// A bundled model, loaded (unit tests).
#[cfg(test)]
pub(crate) fn load_model(name: &str) -> crate::model::Model {
    let (file, text) = model(name).expect("bundled model");
    crate::model::Model::from_toml(std::path::Path::new(&file), text).expect("bundled model loads")
}

/// A bundled scenario bound to `model` with the bundled drug library (unit tests).
#[cfg(test)]
pub(crate) fn load_scenario(name: &str, model: &crate::model::Model) -> crate::pharmacology::Scenario {
    let (file, text) = scenario(name).expect("bundled scenario");
    let library = crate::pharmacology::Library::default();
    crate::pharmacology::Scenario::from_toml(std::path::Path::new(&file), text, model, &library)
        .expect("bundled scenario loads")
}

//! Interventions: drug files, linear PK, pharmacodynamics and dosing scenarios.

pub mod dose_text;
pub mod drug;
pub mod effects;
pub mod exercise;
pub mod library;
pub mod liver;
pub mod nonmem;
pub mod pk;
pub mod regimen;
pub mod scenario;

pub use drug::Drug;
pub use effects::BoundDrug;
pub use library::Library;
pub use pk::{OneCompartment, PkConstants, PkState, Rates, Route};
pub use regimen::Regimen;
pub use scenario::{DoseEvent, Scenario};

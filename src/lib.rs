//! # raphe
//!
//! An ODE model of serotonergic degeneration and spasticity in ALS: raphe serotonergic neuron
//! loss → spinal 5-HT → constitutively active 5-HT2B/2C receptors → motoneuron persistent
//! inward currents → spasms, alongside upper and lower motor neuron loss, clinical readouts,
//! and drug interventions with their PK/PD.
//!
//! A guided tour:
//! 1. [`model::Model::load`] reads a model file (`models/human_als.toml`); every parameter
//!    carries a unit, a plausible range and a source ([`params`], [`units`]).
//! 2. [`pharmacology::Scenario::load`] reads a dosing scenario and binds its drugs
//!    (`models/drugs/*.toml`) to the model's species and body mass.
//! 3. [`simulate::simulate`] runs it on the full-resolution or the fast multiscale path and
//!    returns a [`simulate::Trajectory`]; [`simulate::Summary`] condenses it.
//! 4. [`output`] writes the trajectory, summary and manifest atomically.
//!
//! The equations and their sources are in `docs/model.md`. The library never prints.

pub mod bundled;
pub mod cohort;
pub mod error;
pub mod export;
pub mod limits;
pub mod math;
pub mod model;
pub mod output;
pub mod params;
pub mod pharmacology;
pub mod plot;
pub mod population;
pub mod simulate;
pub mod stats;
pub mod sweep;
pub mod trial;
pub mod units;
pub mod validate;

pub use error::{Error, Result};

//! Exchange formats: SBML for other simulators (COPASI, libRoadRunner, AMICI).

pub mod expr;
pub mod sbml;

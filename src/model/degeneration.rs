//! Neuron survival with a constant hazard after an onset time: raphe serotonergic neurons,
//! upper and lower motor neurons. Constant-hazard (exponential) loss fits neurodegeneration
//! better than sigmoids (Clarke et al. 2000 Nature 406:195).

/// One degenerating neuron pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degeneration {
    /// Day at which loss starts.
    pub onset: f64,
    /// Hazard after onset, 1/day.
    pub hazard: f64,
}

impl Degeneration {
    /// d(survival)/dt; `active` says whether the current solver segment lies after onset
    /// (segments are split at onsets, so the right-hand side stays smooth).
    pub fn rate(&self, survival: f64, active: bool) -> f64 {
        if active {
            -self.hazard * survival
        } else {
            0.0
        }
    }

    /// Closed form survival at day `t` from full survival at day 0.
    pub fn survival(&self, t: f64) -> f64 {
        (-self.hazard * (t - self.onset).max(0.0)).exp()
    }
}

//! The two fidelity paths. Both advance the same slow states with the same equations; they
//! differ in how the fast parts are treated.
//!
//! * Full: every state is integrated — spinal 5-HT (t½ ≈ 1 h), the PIC (τ ≈ 10 min) and each
//!   drug's depot, central and CSF compartments — piecewise between doses.
//! * Fast (multiscale): PK in closed form (exact exponential propagation between doses), 5-HT
//!   and PIC at their quasi-steady values, so only the slow states reach the solver and its
//!   steps are limited by the drug profile, not by minute-scale time constants.

use super::rosenbrock;
use super::solver::{self, StepMemory, Tolerances};
use crate::error::Result;
use crate::model::{Core, DrugEffects, Model, Phase};
use crate::pharmacology::drug::Mechanism;
use crate::pharmacology::effects::{self, BoundDrug};
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::{DoseEvent, PkState, Rates};
use ode_solvers::{SVector, System};

/// What a path knows at one instant, for readouts.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    pub core: Core,
    /// Spinal 5-HT, x baseline.
    pub serotonin: f64,
    /// PIC, nA.
    pub pic: f64,
    pub pk: [PkState; MAX_DRUGS],
}

/// A fidelity path: advance between breakpoints, take doses, report. Each path integrates
/// short stretches explicitly (Dopri5) and long ones with a stiff method (Rodas5P, dense
/// output); [`STIFF_SPAN`] says which is which.
pub trait Path {
    /// Stretches longer than this (days) go to [`Path::advance_stiff`].
    fn stiff_span(&self) -> f64;
    /// Integrate a short stretch from `t0` to `t1` with Dopri5, infusion `rates` per drug slot.
    fn advance_explicit(&mut self, t0: f64, t1: f64, rates: &[Rates; MAX_DRUGS]) -> Result<()>;
    /// Integrate a long stretch with Rodas5P, passing `record` the snapshot at each of
    /// `outputs` (sorted, inside the span) from the dense output.
    fn advance_stiff(
        &mut self,
        span: (f64, f64),
        rates: &[Rates; MAX_DRUGS],
        outputs: &[f64],
        record: &mut dyn FnMut(f64, &Snapshot),
    ) -> Result<()>;
    fn dose(&mut self, event: &DoseEvent);
    fn snapshot(&self) -> Snapshot;

    /// Integrate from `t0` to `t1` with constant infusion `rates` per drug slot.
    fn advance(&mut self, t0: f64, t1: f64, rates: &[Rates; MAX_DRUGS]) -> Result<()> {
        self.advance_recording((t0, t1), rates, &[], &mut |_, _| {})
    }

    /// Integrate from `t0` to `t1` (nothing changes in between: no dose, onset or rate edge),
    /// passing `record` the snapshot at each of `outputs` (sorted, inside (t0, t1)): a long
    /// stretch steps across them, a short one is cut at each.
    fn advance_recording(
        &mut self,
        (t0, t1): (f64, f64),
        rates: &[Rates; MAX_DRUGS],
        outputs: &[f64],
        record: &mut dyn FnMut(f64, &Snapshot),
    ) -> Result<()> {
        if t1 - t0 > self.stiff_span() {
            return self.advance_stiff((t0, t1), rates, outputs, record);
        }
        let mut t = t0;
        for &output in outputs {
            self.advance_explicit(t, output, rates)?;
            record(output, &self.snapshot());
            t = output;
        }
        self.advance_explicit(t, t1, rates)
    }
}

fn give(drugs: &[BoundDrug], pk: &mut [PkState; MAX_DRUGS], event: &DoseEvent) {
    pk[event.drug] = drugs[event.drug].pk.dosed(pk[event.drug], event.amount, event.route);
}

// ---------------------------------------------------------------- full path

const FULL_N: usize = Core::LEN + 2 + PkState::LEN * MAX_DRUGS;
const SEROTONIN: usize = Core::LEN;
const PIC: usize = Core::LEN + 1;
const PK0: usize = Core::LEN + 2;

/// Every state integrated: long stretches by Rodas5P ([`rosenbrock`], which the stiffness of
/// the PIC and 5-HT does not hold to short steps; dense output at output times), short ones
/// between doses by Dopri5 ([`STIFF_SPAN`]).
pub struct Full<'a> {
    model: &'a Model,
    drugs: &'a [BoundDrug],
    tol: Tolerances,
    y: SVector<f64, FULL_N>,
    /// Stretches longer than this (days) are integrated by Rodas5P ([`STIFF_SPAN`]).
    stiff_span: f64,
    /// The last step of each method.
    memory: StepMemory,
    stiff_memory: StepMemory,
}

struct FullRhs<'a> {
    model: &'a Model,
    drugs: &'a [BoundDrug],
    phase: Phase,
    rates: [Rates; MAX_DRUGS],
}

/// Where drug slot `i` lives in the full state vector.
fn pk_range(i: usize) -> std::ops::Range<usize> {
    PK0 + PkState::LEN * i..PK0 + PkState::LEN * (i + 1)
}

fn pk_states(y: &[f64], n: usize) -> [PkState; MAX_DRUGS] {
    let mut pk = [PkState::default(); MAX_DRUGS];
    for (i, s) in pk.iter_mut().enumerate().take(n) {
        *s = PkState::from_slice(&y[pk_range(i)]);
    }
    pk
}

impl System<f64, SVector<f64, FULL_N>> for FullRhs<'_> {
    fn system(&self, _t: f64, y: &SVector<f64, FULL_N>, dy: &mut SVector<f64, FULL_N>) {
        let y = y.as_slice();
        let core = Core::from_slice(y);
        let pk = pk_states(y, self.drugs.len());
        let effects = effects::combined(self.drugs, &pk);
        let rates = self.model.core_rates(self.phase, &core, y[SEROTONIN], y[PIC], &effects);
        dy.as_mut_slice()[..Core::LEN].copy_from_slice(&rates.to_array());
        dy[SEROTONIN] = self.model.serotonin_rate(y[SEROTONIN], core.raphe, &effects);
        let activity = self.model.receptor_activity(y[SEROTONIN], &core, &effects);
        dy[PIC] = self.model.pic_rate(y[PIC], activity);
        for (i, drug) in self.drugs.iter().enumerate() {
            let d = drug.pk.derivative(pk[i], self.rates[i]).to_array();
            dy.as_mut_slice()[pk_range(i)].copy_from_slice(&d);
        }
    }
}

impl<'a> Full<'a> {
    pub fn new(model: &'a Model, drugs: &'a [BoundDrug], tol: Tolerances) -> Self {
        let mut y = SVector::<f64, FULL_N>::zeros();
        y.as_mut_slice()[..Core::LEN].copy_from_slice(&model.initial_core().to_array());
        y[SEROTONIN] = 1.0;
        y[PIC] = model.baseline_pic();
        let rhs = FullRhs { model, drugs, phase: model.phase_at(0.0), rates: Default::default() };
        Full {
            model,
            drugs,
            tol,
            y,
            stiff_span: stiff_span(&rhs, PK0 + PkState::LEN * drugs.len(), &y),
            memory: StepMemory::default(),
            stiff_memory: StepMemory::default(),
        }
    }
}

/// Stretches longer than this many fastest time constants (1/ρ, ρ the spectral radius of the
/// Jacobian at the start; about 1/τ_PIC = 144/day on the human model, so 21 days) go to
/// Rodas5P, shorter ones to Dopri5. After an oral dose the drug's absorption holds either
/// method to steps of minutes, and there a Dopri5 step (6 right-hand sides) is far cheaper than
/// a Rodas5P step (n + 9 and an LU); Rodas5P pays off only once a stretch is long enough for
/// its steps to grow to days while Dopri5 stays at ρ·span/3.3 steps. Measured on the human
/// model, full path, whole process (best of 3, s, Rodas5P vs Dopri5 for the dosing intervals):
/// baclofen daily 0.58 vs 0.13, weekly 0.15 vs 0.074, two-weekly 0.088 vs 0.068, monthly
/// 0.053 vs 0.070; untreated and the intrathecal pump (stretches of years) 10× faster with
/// Rodas5P (docs/performance.md).
const STIFF_SPAN: f64 = 3000.0;

/// [`STIFF_SPAN`] in days for `rhs` at its initial state `y` (first `active` states).
fn stiff_span<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: &F,
    active: usize,
    y: &SVector<f64, N>,
) -> f64 {
    STIFF_SPAN / rosenbrock::Active::new(rhs, active).spectral_radius(0.0, y)
}

impl<'a> Full<'a> {
    /// States the solver works on: the core, 5-HT, the PIC and the scenario's drug slots.
    fn active(&self) -> usize {
        PK0 + PkState::LEN * self.drugs.len()
    }

    fn snapshot_of(&self, y: &SVector<f64, FULL_N>) -> Snapshot {
        let y = y.as_slice();
        Snapshot {
            core: Core::from_slice(y),
            serotonin: y[SEROTONIN],
            pic: y[PIC],
            pk: pk_states(y, self.drugs.len()),
        }
    }

    fn rhs(&self, t0: f64, rates: &[Rates; MAX_DRUGS]) -> FullRhs<'a> {
        FullRhs { model: self.model, drugs: self.drugs, phase: self.model.phase_at(t0), rates: *rates }
    }
}

impl Path for Full<'_> {
    fn stiff_span(&self) -> f64 {
        self.stiff_span
    }

    fn advance_explicit(&mut self, t0: f64, t1: f64, rates: &[Rates; MAX_DRUGS]) -> Result<()> {
        let rhs = self.rhs(t0, rates);
        self.y = solver::integrate(&rhs, t0, t1, self.y, self.tol, &mut self.memory)?;
        Ok(())
    }

    fn advance_stiff(
        &mut self,
        (t0, t1): (f64, f64),
        rates: &[Rates; MAX_DRUGS],
        outputs: &[f64],
        record: &mut dyn FnMut(f64, &Snapshot),
    ) -> Result<()> {
        let rhs = self.rhs(t0, rates);
        let mut memory = self.stiff_memory;
        let at = |i: usize, y: &SVector<f64, FULL_N>| record(outputs[i], &self.snapshot_of(y));
        let active = rosenbrock::Active::new(&rhs, self.active());
        let y = rosenbrock::integrate_dense(&active, (t0, t1), self.y, self.tol, &mut memory, outputs, at)?;
        (self.y, self.stiff_memory) = (y, memory);
        Ok(())
    }

    fn dose(&mut self, event: &DoseEvent) {
        let mut pk = pk_states(self.y.as_slice(), self.drugs.len());
        give(self.drugs, &mut pk, event);
        let i = event.drug;
        self.y.as_mut_slice()[pk_range(i)].copy_from_slice(&pk[i].to_array());
    }

    fn snapshot(&self) -> Snapshot {
        self.snapshot_of(&self.y)
    }
}

// ---------------------------------------------------------------- fast path

/// Fast-path state: the slow core states, then 5-HT and the PIC. Each of the two is integrated
/// only when a drug makes its quasi-steady value unreliable ([`FastStates::for_drugs`]);
/// otherwise it is computed, and its slot stays unused.
const FAST_N: usize = Core::LEN + 2;
const FAST_SEROTONIN: usize = Core::LEN;
const FAST_PIC: usize = Core::LEN + 1;

/// Which fast states the fast path integrates instead of taking them as quasi-steady.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FastStates {
    /// A drug changes 5-HT release or clearance: 5-HT then follows the drug with its own lag
    /// (t½ ≥ 1 h, longer when clearance is slowed), which the raphe-loss formula ignores.
    pub serotonin: bool,
    /// A 5-HT2 ligand changes its CSF level within 5 PIC time constants ([`fast_acting_drugs`]).
    pub pic: bool,
    /// Some 5-HT2 ligand is present: the quasi-steady PIC needs its first-order lag term.
    pub pic_lag: bool,
}

impl FastStates {
    pub fn for_drugs(model: &Model, drugs: &[BoundDrug]) -> FastStates {
        let serotonergic = |d: &&BoundDrug| {
            matches!(d.mechanism, Mechanism::SerotoninClearance { .. } | Mechanism::SerotoninRelease { .. })
        };
        FastStates {
            serotonin: drugs.iter().any(|d| serotonergic(&d)),
            pic: !fast_acting_drugs(model, drugs).is_empty(),
            pic_lag: drugs.iter().any(|d| matches!(d.mechanism, Mechanism::Ht2Ligand { .. })),
        }
    }
}

/// Slow states integrated; PK closed form; 5-HT and PIC quasi-steady unless [`FastStates`]
/// says otherwise.
pub struct Fast<'a> {
    model: &'a Model,
    drugs: &'a [BoundDrug],
    tol: Tolerances,
    states: FastStates,
    y: SVector<f64, FAST_N>,
    pk: [PkState; MAX_DRUGS],
    /// Time of `y` and `pk`.
    t: f64,
    /// Infusion rates of the last segment (for the PIC look-ahead in snapshots).
    rates: [Rates; MAX_DRUGS],
    /// Stretches longer than this (days) are integrated by Rodas5P ([`STIFF_SPAN`]).
    stiff_span: f64,
    memory: StepMemory,
    stiff_memory: StepMemory,
}

struct FastRhs<'a> {
    model: &'a Model,
    drugs: &'a [BoundDrug],
    states: FastStates,
    phase: Phase,
    t0: f64,
    pk0: [PkState; MAX_DRUGS],
    rates: [Rates; MAX_DRUGS],
}

/// Drugs that act on the PIC (5-HT2 ligands) and whose CSF level can change within 5 PIC time
/// constants (fastest effect-site time constant: 1/min(ka, ke0) rising, 1/min(k, ke0) or 1/ki
/// falling). With any of them present the first-order PIC lag correction is not enough, so the
/// fast path integrates the PIC. Drugs acting downstream of the PIC (reflex gain) never need it.
pub fn fast_acting_drugs<'d>(model: &Model, drugs: &'d [BoundDrug]) -> Vec<&'d BoundDrug> {
    let tau = model.params.pic_time_constant;
    drugs
        .iter()
        .filter(|d| matches!(d.mechanism, Mechanism::Ht2Ligand { .. }))
        .filter(|d| {
            let pk = &d.pk;
            let rise = 1.0 / pk.absorption_rate.min(pk.csf_rate);
            let mut fall = 1.0 / pk.elimination_rate.min(pk.csf_rate);
            if pk.intrathecal_rate > 0.0 {
                fall = fall.min(1.0 / pk.intrathecal_rate);
            }
            rise.min(fall) < 5.0 * tau
        })
        .collect()
}

/// The drug side of the fast quantities at one instant: the drug effects now and, when the
/// quasi-steady PIC needs its lag term, a short step ahead (from the closed-form PK).
#[derive(Debug, Clone, Copy)]
pub struct DrugPoint {
    pub effects: DrugEffects,
    ahead: Option<DrugEffects>,
}

impl DrugPoint {
    /// Effects of `drugs` in state `pk` under infusion `rates`; `lag` adds the look-ahead.
    pub fn at(
        model: &Model,
        drugs: &[BoundDrug],
        pk: &[PkState; MAX_DRUGS],
        rates: &[Rates; MAX_DRUGS],
        lag: bool,
    ) -> Self {
        let effects = effects::combined(drugs, pk);
        let ahead = lag.then(|| {
            let delta = LAG_STEP * model.params.pic_time_constant;
            effects::combined(drugs, &propagate_all(drugs, pk, delta, rates))
        });
        DrugPoint { effects, ahead }
    }

    /// Quasi-steady PIC (nA) at 5-HT `serotonin` and slow states `core`, to first order in the
    /// PIC time constant τ: PIC ≈ PIC∞(t) − τ·dPIC∞/dt (Tikhonov), dPIC∞/dt from the effects a
    /// short step ahead; the slow states' drift over τ is negligible.
    pub fn pic(&self, model: &Model, serotonin: f64, core: &Core) -> f64 {
        self.pic_and_activity(model, serotonin, core).0
    }

    /// [`Self::pic`] and the receptor activity now (for the readouts).
    pub fn pic_and_activity(&self, model: &Model, serotonin: f64, core: &Core) -> (f64, f64) {
        let pic_at = |e: &DrugEffects| model.pic_steady(model.receptor_activity(serotonin, core, e));
        let activity = model.receptor_activity(serotonin, core, &self.effects);
        let pic = model.pic_steady(activity);
        match &self.ahead {
            None => (pic, activity),
            Some(ahead) => {
                let tau = model.params.pic_time_constant;
                let slope = (pic_at(ahead) - pic) / (LAG_STEP * tau);
                ((pic - tau * slope).clamp(0.0, model.params.pic_max), activity)
            }
        }
    }
}

/// Look-ahead of the PIC lag term, in PIC time constants.
const LAG_STEP: f64 = 0.01;

/// The fast quantities at time `t`: drug effects, 5-HT (state or quasi-steady, exact for
/// exponential raphe loss) and the PIC (state, or quasi-steady, [`DrugPoint::pic`]).
struct FastValues {
    effects: DrugEffects,
    serotonin: f64,
    pic: f64,
}

impl FastValues {
    fn at(fast: &FastRhs, t: f64, y: &[f64], core: &Core, pk: &[PkState; MAX_DRUGS]) -> FastValues {
        let model = fast.model;
        // Only 5-HT2 ligands move the PIC on the drug's time scale; others need no lag term.
        let lag = fast.states.pic_lag && !fast.states.pic;
        let point = DrugPoint::at(model, fast.drugs, pk, &fast.rates, lag);
        let serotonin = if fast.states.serotonin {
            y[FAST_SEROTONIN]
        } else {
            model.serotonin_quasi_steady(core.raphe, t, &point.effects)
        };
        let pic = if fast.states.pic { y[FAST_PIC] } else { point.pic(model, serotonin, core) };
        FastValues { effects: point.effects, serotonin, pic }
    }
}

pub fn propagate_all(
    drugs: &[BoundDrug],
    pk: &[PkState; MAX_DRUGS],
    dt: f64,
    rates: &[Rates; MAX_DRUGS],
) -> [PkState; MAX_DRUGS] {
    let mut out = *pk;
    for ((s, d), r) in out.iter_mut().zip(drugs).zip(rates) {
        *s = d.pk.propagate(*s, dt, *r);
    }
    out
}

impl System<f64, SVector<f64, FAST_N>> for FastRhs<'_> {
    fn system(&self, t: f64, y: &SVector<f64, FAST_N>, dy: &mut SVector<f64, FAST_N>) {
        let y = y.as_slice();
        let core = Core::from_slice(y);
        let pk = propagate_all(self.drugs, &self.pk0, t - self.t0, &self.rates);
        let v = FastValues::at(self, t, y, &core, &pk);
        let rates = self.model.core_rates(self.phase, &core, v.serotonin, v.pic, &v.effects);
        dy.as_mut_slice()[..Core::LEN].copy_from_slice(&rates.to_array());
        dy[FAST_SEROTONIN] = if self.states.serotonin {
            self.model.serotonin_rate(v.serotonin, core.raphe, &v.effects)
        } else {
            0.0
        };
        dy[FAST_PIC] = if self.states.pic {
            let activity = self.model.receptor_activity(v.serotonin, &core, &v.effects);
            self.model.pic_rate(v.pic, activity)
        } else {
            0.0
        };
    }
}

impl<'a> Fast<'a> {
    pub fn new(model: &'a Model, drugs: &'a [BoundDrug], tol: Tolerances) -> Self {
        let states = FastStates::for_drugs(model, drugs);
        let mut y = SVector::<f64, FAST_N>::zeros();
        y.as_mut_slice()[..Core::LEN].copy_from_slice(&model.initial_core().to_array());
        y[FAST_SEROTONIN] = 1.0;
        y[FAST_PIC] = model.baseline_pic();
        let mut fast = Fast {
            model,
            drugs,
            tol,
            states,
            y,
            pk: [PkState::default(); MAX_DRUGS],
            t: 0.0,
            rates: [Rates::default(); MAX_DRUGS],
            stiff_span: f64::INFINITY, // set below from the right-hand side
            memory: StepMemory::default(),
            stiff_memory: StepMemory::default(),
        };
        fast.stiff_span = stiff_span(&fast.rhs(0.0, fast.rates), FAST_N, &fast.y);
        fast
    }

    fn rhs(&self, t0: f64, rates: [Rates; MAX_DRUGS]) -> FastRhs<'a> {
        FastRhs {
            model: self.model,
            drugs: self.drugs,
            states: self.states,
            phase: self.model.phase_at(t0),
            t0,
            pk0: self.pk,
            rates,
        }
    }
}

impl Path for Fast<'_> {
    fn stiff_span(&self) -> f64 {
        self.stiff_span
    }

    fn advance_explicit(&mut self, t0: f64, t1: f64, rates: &[Rates; MAX_DRUGS]) -> Result<()> {
        self.rates = *rates;
        let rhs = self.rhs(t0, *rates);
        self.y = solver::integrate(&rhs, t0, t1, self.y, self.tol, &mut self.memory)?;
        self.pk = propagate_all(self.drugs, &self.pk, t1 - t0, rates);
        self.t = t1;
        Ok(())
    }

    /// PK in closed form at the outputs.
    fn advance_stiff(
        &mut self,
        (t0, t1): (f64, f64),
        rates: &[Rates; MAX_DRUGS],
        outputs: &[f64],
        record: &mut dyn FnMut(f64, &Snapshot),
    ) -> Result<()> {
        self.rates = *rates;
        let rhs = self.rhs(t0, *rates);
        let mut memory = self.stiff_memory;
        let at = |i: usize, y: &SVector<f64, FAST_N>| {
            let t = outputs[i];
            let pk = propagate_all(self.drugs, &self.pk, t - t0, rates);
            let core = Core::from_slice(y.as_slice());
            let v = FastValues::at(&rhs, t, y.as_slice(), &core, &pk);
            record(t, &Snapshot { core, serotonin: v.serotonin, pic: v.pic, pk })
        };
        let active = rosenbrock::Active::new(&rhs, FAST_N);
        let y = rosenbrock::integrate_dense(&active, (t0, t1), self.y, self.tol, &mut memory, outputs, at)?;
        (self.y, self.stiff_memory) = (y, memory);
        self.pk = propagate_all(self.drugs, &self.pk, t1 - t0, rates);
        self.t = t1;
        Ok(())
    }

    fn dose(&mut self, event: &DoseEvent) {
        give(self.drugs, &mut self.pk, event);
    }

    fn snapshot(&self) -> Snapshot {
        let y = self.y.as_slice();
        let core = Core::from_slice(y);
        let v = FastValues::at(&self.rhs(self.t, self.rates), self.t, y, &core, &self.pk);
        Snapshot { core, serotonin: v.serotonin, pic: v.pic, pk: self.pk }
    }
}

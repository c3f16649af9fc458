//! Repeats one 5-year human run under tid baclofen (fast path, no harm tracking), for profilers:
//! `profile_run [N]`. Environment: `START=days` first dose (default 0; 2.33 puts daily outputs
//! inside dosing intervals, as in the LHS benchmark), `PHASES=1` times planning, pattern search,
//! slow course, whole runs at three output steps and the summary, `DEBUG=1` prints the stretches.
use raphe::bundled;
use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings};
use std::path::Path;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let (file, text) = bundled::model("human_als").unwrap();
    let model = Model::from_toml(Path::new(&file), text).unwrap();
    let (sfile, stext) = bundled::scenario("baclofen_oral_tid").unwrap();
    let mut scenario = Scenario::from_toml(Path::new(&sfile), stext, &model, &Library::default()).unwrap();
    scenario.dosing[0].start = std::env::var("START").ok().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let mut settings = Settings::for_model(&model, Fidelity::Fast);
    settings.duration = 5.0 * 365.25;
    settings.track_harms = false;
    if std::env::var("DEBUG").is_ok() {
        debug(&model, &scenario, &settings);
    }
    if std::env::var("PHASES").is_ok() {
        phases(&model, &scenario, &settings);
    }
    let mut auc = 0.0;
    for _ in 0..n {
        auc += simulate(&model, &scenario, &settings).unwrap().samples.last().unwrap().core.spasm_auc;
    }
    println!("{}", auc / n as f64);
}

#[allow(dead_code)]
fn debug(model: &Model, scenario: &Scenario, settings: &Settings) {
    let plan = raphe::simulate::plan::Plan::new(model, scenario, settings);
    let st = plan.stretches(12);
    eprintln!("{} segments, stretches {:?}", plan.segments.len(), st);
}

#[allow(dead_code)]
fn phases(model: &Model, scenario: &Scenario, settings: &Settings) {
    use std::time::Instant;
    let n = 300;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(scenario.doses_until(settings.duration));
    }
    eprintln!("doses_until {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(raphe::simulate::plan::Plan::new(model, scenario, settings));
    }
    eprintln!("plan {:?}", t.elapsed() / n);
    let plan = raphe::simulate::plan::Plan::new(model, scenario, settings);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(plan.stretches(12));
    }
    eprintln!("stretches {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            raphe::simulate::slow::SlowCourse::solve(model, settings.duration, settings.tolerances).unwrap(),
        );
    }
    eprintln!("slow {:?}", t.elapsed() / n);
    for step in [1.0, 7.0, 30.0] {
        let mut s = *settings;
        s.output_step = step;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(simulate(model, scenario, &s).unwrap());
        }
        eprintln!("simulate, output step {step} d: {:?}", t.elapsed() / n);
    }
    let traj = simulate(model, scenario, settings).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(raphe::simulate::Summary::of(model, &traj));
    }
    eprintln!("summary {:?}", t.elapsed() / n);
}

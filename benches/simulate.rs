//! Time per simulation: the 5-year human model under oral baclofen tid, fast and full paths,
//! plus the untreated course. Run with `cargo bench`; prints median and spread per case and the
//! full/fast ratio measured in the same run.

use raphe::bundled;
use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

fn median_time(repeats: usize, mut f: impl FnMut()) -> (Duration, Duration, Duration) {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[repeats / 2], times[repeats - 1])
}

fn main() {
    let (file, text) = bundled::model("human_als").unwrap();
    let model = Model::from_toml(Path::new(&file), text).unwrap();
    let (sfile, stext) = bundled::scenario("baclofen_oral_tid").unwrap();
    let mut baclofen = Scenario::from_toml(Path::new(&sfile), stext, &model, &Library::default()).unwrap();
    // Start baclofen at day 0 so all five years carry tid dosing (5,479 doses).
    baclofen.dosing[0].start = 0.0;
    let untreated = Scenario::untreated();
    println!("5-year human simulation, output every day (1,827 rows)");
    println!("{:<34} {:>10} {:>10} {:>10}", "case", "min", "median", "max");
    let mut medians = Vec::new();
    for (label, scenario) in [("untreated", &untreated), ("baclofen 20 mg q8h from day 0", &baclofen)] {
        for fidelity in [Fidelity::Fast, Fidelity::Full] {
            let mut settings = Settings::for_model(&model, fidelity);
            settings.duration = 5.0 * 365.25;
            settings.track_harms = false;
            let repeats = if fidelity == Fidelity::Fast { 30 } else { 7 };
            let (lo, med, hi) = median_time(repeats, || {
                black_box(simulate(&model, scenario, &settings).unwrap());
            });
            println!("{:<34} {:>10.2?} {:>10.2?} {:>10.2?}", format!("{label}, {fidelity:?}"), lo, med, hi);
            medians.push(med);
        }
    }
    println!(
        "full/fast ratio: untreated {:.1}x, baclofen {:.1}x",
        medians[1].as_secs_f64() / medians[0].as_secs_f64(),
        medians[3].as_secs_f64() / medians[2].as_secs_f64()
    );
}

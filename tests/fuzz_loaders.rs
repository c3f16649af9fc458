//! Fuzz tests of the input loaders: the model loader (`Model::from_toml`), the scenario loader
//! (`Scenario::from_toml`, also with a `[[dosing_table]]`), the sweep loader (`Sweep::load`) and
//! the NONMEM-style dosing table reader (`nonmem::read`).
//!
//! Users hand-edit these files, so any text must be refused cleanly: the loader never panics
//! or hangs, and its error is non-empty and names the file it was given (or, for a scenario's
//! dosing table, the table's CSV). Inputs are the bundled files of `models/` with one to three
//! mutations each (a number replaced by an extreme value, a string or word replaced, a unit
//! swapped, a line deleted or duplicated, a truncation, a byte-order mark, inserted text), plus
//! a few purely random inputs. A sweep that loads must have a sane run count, which its design
//! gives without overflow. Nothing is simulated. Every case runs on its own thread, so a hang
//! fails the case after [`CASE_LIMIT`] instead of stalling CI.
//!
//! `RAPHE_FUZZ_CASES=N` overrides the number of cases of every test, to fuzz longer locally.

use proptest::prelude::*;
use proptest::sample::{select, Index};
use raphe::model::Model;
use raphe::pharmacology::{nonmem, Library, Scenario};
use raphe::sweep::{DesignKind, Sweep};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// Longest a single load may take (they take milliseconds).
const CASE_LIMIT: Duration = Duration::from_secs(5);

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("RAPHE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, max_shrink_time: 60_000, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// The bundled files mutations start from.

/// (name, text) of bundled files.
type Files = Vec<(String, String)>;

struct Corpus {
    models: Files,
    scenarios: Files,
    sweeps: Files,
    /// The scenario with a dosing table, and its CSV.
    table_scenario: String,
    table: String,
    human: Model,
    mouse: Model,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn toml_files(dir: &str) -> Files {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), read(p))).collect()
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let models = vec![
            ("human_als".to_string(), read(&repo("models/human_als.toml"))),
            ("sod1_g86r_mouse".to_string(), read(&repo("models/sod1_g86r_mouse.toml"))),
        ];
        let scenarios = toml_files("models/scenarios");
        let sweeps = toml_files("models/sweeps");
        assert!(scenarios.len() > 10 && sweeps.len() > 3, "bundled files not found");
        let model = |(name, text): &(String, String)| Model::from_toml(Path::new(name), text).unwrap();
        Corpus {
            human: model(&models[0]),
            mouse: model(&models[1]),
            models,
            scenarios,
            sweeps,
            table_scenario: read(&repo("models/scenarios/baclofen_itb_trial_table.toml")),
            table: read(&repo("models/scenarios/baclofen_itb_trial_table.csv")),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Extreme replacements for a number (TOML values, CSV cells, numbers inside strings).
const EXTREMES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e308",
    "-1e308",
    "1e-308",
    "5e-324",
    "1e400",
    "nan",
    "-nan",
    "NaN",
    "inf",
    "-inf",
    "+inf",
    "1e12",
    "4294967296",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "2.5",
    "\"text\"",
    "\"\"",
    "true",
    "[]",
    "{}",
    ".",
    "1e",
    "0x10",
];

/// Replacements for the contents of a quoted string: units, names of bundled files, drugs,
/// routes, designs, targets and metrics, paths, regimens, odd text.
const STRINGS: &[&str] = &[
    "mg",
    "ug",
    "µg",
    "g",
    "mg/kg",
    "ug/kg",
    "kg",
    "day",
    "d",
    "min",
    "h",
    "year",
    "week",
    "month",
    "1",
    "%/month",
    "1/month",
    "1/day",
    "mg/day",
    "ug/day",
    "nM",
    "",
    " ",
    "human_als",
    "sod1_g86r_mouse",
    "baclofen_oral_tid",
    "baclofen_itb_trial_table",
    "sb206553_mouse",
    "exercise_stretching",
    "baclofen",
    "tizanidine",
    "sb206553",
    "oral",
    "iv",
    "intrathecal",
    "subcutaneous",
    "grid",
    "lhs",
    "morris",
    "sobol",
    "fast",
    "full",
    "spasm_auc",
    "peak_sedation",
    "death_day",
    "model.raphe_hazard",
    "model.body_mass",
    "dosing.0.amount",
    "dosing.0.interval",
    "dosing.99.start",
    "dosing.18446744073709551616.amount",
    "infusion.0.rate",
    "model.",
    ".",
    "..",
    "/",
    "../human_als.toml",
    "/dev/null",
    "baclofen_itb_trial_table.csv",
    "5 mg tid",
    "1e308 mg q1min",
    "5 mg q0.000001min",
    "5 mg tid x 1e308d then 5 mg tid",
    "5 mg once x 0d",
    "5 mg tid x 18446744073709551616 doses",
    "5 mg tid x 1 doses then 1e-308 mg q1e-308h",
    "5 mg qé",
    "then",
    " then then ",
    "\u{feff}",
    "é",
    "💥",
    "\\u0000",
];

/// Replacements for a bare word: keys, CSV columns and cells.
const WORDS: &[&str] = &[
    "oral",
    "iv",
    "intrathecal",
    "time",
    "amt",
    "cmt",
    "route",
    "rate",
    "ii",
    "addl",
    "id",
    "evid",
    "ss",
    "value",
    "unit",
    "range",
    "source",
    "assumption",
    "name",
    "x",
    "",
    "nan",
    "inf",
    "0",
    "1",
    "2",
    "3",
    "4",
    "é",
];

/// Unit swaps, applied to every quoted occurrence.
const UNIT_SWAPS: &[(&str, &str)] = &[
    ("mg", "ug"),
    ("ug", "mg"),
    ("mg", "g"),
    ("mg", "mg/kg"),
    ("day", "min"),
    ("h", "min"),
    ("year", "week"),
    ("week", "day"),
    ("%/month", "1/min"),
    ("1/month", "1/day"),
    ("ug/day", "mg/min"),
    ("kg", "g"),
];

/// Text to insert: syntax, line ends, control and non-ASCII characters.
const SNIPPETS: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\u{feff}",
    "=",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "\\",
    "'''",
    "\"\"\"",
    "\n[[factor]]\n",
    "\n[[dosing]]\n",
    "\n[[infusion]]\n",
    "\n[sweep]\n",
    "\n[parameters]\n",
    ",,,,",
    "\n1,1,1,1,1,1\n",
    "\n0,1,oral,0,1e-308,100000\n",
    "é",
    "\u{10ffff}",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th number.
    Number(Index, &'static str),
    /// Replace the contents of the n-th quoted string.
    Quoted(Index, &'static str),
    /// Replace the n-th bare word.
    Word(Index, &'static str),
    /// Swap a unit wherever it is quoted.
    Unit(&'static str, &'static str),
    DeleteLine(Index),
    DuplicateLine(Index),
    /// Cut the text at a byte (moved back to a character boundary).
    Truncate(Index),
    /// Prepend a byte-order mark.
    Bom,
    Insert(Index, String),
}

fn insertion() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(SNIPPETS).prop_map(String::from),
        1 => "\\PC{1,6}",
        1 => "[\\x00-\\x1f\\x7f]{1,3}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), select(EXTREMES)).prop_map(|(i, v)| Mutation::Number(i, v)),
        3 => (any::<Index>(), select(STRINGS)).prop_map(|(i, v)| Mutation::Quoted(i, v)),
        1 => (any::<Index>(), select(WORDS)).prop_map(|(i, v)| Mutation::Word(i, v)),
        1 => select(UNIT_SWAPS).prop_map(|(a, b)| Mutation::Unit(a, b)),
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => Just(Mutation::Bom),
        2 => (any::<Index>(), insertion()).prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=3)
}

/// Numbers: digits with an optional sign, fraction and exponent, not continuing another number.
fn number_spans(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let digits = |mut j: usize| {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = if i > 0 && matches!(b[i - 1], b'-' | b'+') { i - 1 } else { i };
        let mut j = digits(i);
        if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
            j = digits(j + 1);
        }
        if j < b.len() && matches!(b[j], b'e' | b'E') {
            let k = if j + 1 < b.len() && matches!(b[j + 1], b'+' | b'-') { j + 2 } else { j + 1 };
            if k < b.len() && b[k].is_ascii_digit() {
                j = digits(k);
            }
        }
        spans.push(start..j);
        i = j;
    }
    spans
}

/// Contents of double-quoted strings (within a line).
fn quoted_spans(s: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut open = None;
    for (i, c) in s.char_indices() {
        match (c, open) {
            ('"', None) => open = Some(i + 1),
            ('"', Some(a)) => {
                spans.push(a..i);
                open = None;
            }
            ('\n', _) => open = None,
            _ => {}
        }
    }
    spans
}

/// Maximal runs of ASCII letters, digits and underscores.
fn word_spans(s: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (c.is_ascii_alphanumeric() || c == '_', start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                spans.push(a..i);
                start = None;
            }
            _ => {}
        }
    }
    spans
}

fn replace_span(s: &str, spans: &[Range<usize>], which: &Index, with: &str) -> String {
    if spans.is_empty() {
        return s.to_string();
    }
    let r = &spans[which.index(spans.len())];
    format!("{}{with}{}", &s[..r.start], &s[r.end..])
}

fn char_boundary(s: &str, at: &Index) -> usize {
    let mut i = at.index(s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn edit_lines(s: &str, at: &Index, edit: impl FnOnce(&mut Vec<&str>, usize)) -> String {
    let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
    if !lines.is_empty() {
        let k = at.index(lines.len());
        edit(&mut lines, k);
    }
    lines.concat()
}

fn apply(s: &str, m: &Mutation) -> String {
    match m {
        Mutation::Number(i, v) => replace_span(s, &number_spans(s), i, v),
        Mutation::Quoted(i, v) => replace_span(s, &quoted_spans(s), i, v),
        Mutation::Word(i, v) => replace_span(s, &word_spans(s), i, v),
        Mutation::Unit(a, b) => s.replace(&format!("\"{a}\""), &format!("\"{b}\"")),
        Mutation::DeleteLine(i) => edit_lines(s, i, |lines, k| {
            lines.remove(k);
        }),
        Mutation::DuplicateLine(i) => edit_lines(s, i, |lines, k| lines.insert(k, lines[k])),
        Mutation::Truncate(i) => s[..char_boundary(s, i)].to_string(),
        Mutation::Bom => format!("\u{feff}{s}"),
        Mutation::Insert(i, text) => {
            let k = char_boundary(s, i);
            format!("{}{text}{}", &s[..k], &s[k..])
        }
    }
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    mutations.iter().fold(text.to_string(), |s, m| apply(&s, m))
}

/// Random TOML-like text: sections and `key = value` lines with plausible values.
fn toml_like() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "\"[a-z_ ./%0-9]{0,12}\"",
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?(e-?[0-9]{1,3})?",
        "\\{ value = -?[0-9.e]{1,6}, unit = \"[a-z/%]{1,6}\" \\}",
        "\\[[0-9., ]{0,10}\\]",
    ];
    let line = prop_oneof![
        "\\[\\[?(sweep|scenario|model|parameters|factor|dosing|infusion|dosing_table)\\]\\]?"
            .prop_map(|s| s.to_string()),
        ("[a-z_]{1,10}", value).prop_map(|(k, v)| format!("{k} = {v}")),
    ];
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// Purely random text of either kind.
fn random_text() -> impl Strategy<Value = String> {
    prop_oneof![1 => "\\PC{0,200}", 1 => any::<String>(), 2 => toml_like()]
}

// ---------------------------------------------------------------------------------------------
// The property.

/// What a load gave.
enum Outcome {
    Loaded,
    /// Refused, with the error's message.
    Refused(String),
    /// A bug: a panic, a hang, or a loaded value that is wrong.
    Broken(String),
}

impl<T> From<raphe::Result<T>> for Outcome {
    fn from(r: raphe::Result<T>) -> Outcome {
        match r {
            Ok(_) => Outcome::Loaded,
            Err(e) => Outcome::Refused(e.to_string()),
        }
    }
}

/// Runs a load on its own thread, so that a panic or a hang (no answer within [`CASE_LIMIT`])
/// is a `Broken` outcome.
fn guarded(load: impl FnOnce() -> Outcome + Send + 'static) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(load());
    });
    match rx.recv_timeout(CASE_LIMIT) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Outcome::Broken(format!("no answer within {CASE_LIMIT:?} (hang)"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let payload = worker.join().expect_err("the loader's thread ended without an answer");
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Outcome::Broken(format!("panicked: {message}"))
        }
    }
}

/// The lines of `text` that are not lines of `original` (the mutation's visible effect).
fn changed_lines(original: &str, text: &str) -> String {
    let known: std::collections::HashSet<&str> = original.lines().collect();
    let new: Vec<&str> = text.lines().filter(|l| !known.contains(l)).collect();
    format!("{} lines (of {}), new or changed: {new:?}", text.lines().count(), original.lines().count())
}

/// Fails the case if the load is broken, or refused the input with a message that is empty or
/// names none of `files`.
fn check(outcome: Outcome, files: &[&Path], input: &str) -> Result<(), TestCaseError> {
    let problem = match outcome {
        Outcome::Loaded => return Ok(()),
        Outcome::Refused(message) if message.trim().is_empty() => "empty error message".to_string(),
        Outcome::Refused(message) => {
            if files.iter().any(|f| message.contains(&f.display().to_string())) {
                return Ok(());
            }
            format!("error names none of {files:?}: {message}")
        }
        Outcome::Broken(problem) => problem,
    };
    Err(TestCaseError::fail(format!("{problem}\ninput: {input}")))
}

fn pick<'a>(files: &'a Files, i: &Index) -> &'a (String, String) {
    &files[i.index(files.len())]
}

/// The model a scenario is meant for, or on `swap` the other species' one.
fn model_for(scenario: &str, swap: bool) -> &'static Model {
    let c = corpus();
    if scenario.contains("mouse") != swap {
        &c.mouse
    } else {
        &c.human
    }
}

fn load_model(name: &str, text: String, input: &str) -> Result<(), TestCaseError> {
    let path = PathBuf::from(format!("fuzz/models/{name}.toml"));
    let p = path.clone();
    check(guarded(move || Model::from_toml(&p, &text).into()), &[&path], input)
}

/// A scenario read from a temporary folder holding `table` as the bundled table's CSV.
fn load_scenario(
    name: &str,
    text: String,
    table: &str,
    model: &'static Model,
    input: &str,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("baclofen_itb_trial_table.csv");
    std::fs::write(&csv, table).unwrap();
    let path = dir.path().join(format!("{name}.toml"));
    let mut files = vec![path.clone(), csv];
    files.extend(table_files(dir.path(), &text));
    let p = path.clone();
    let outcome = guarded(move || {
        let outcome = Scenario::from_toml(&p, &text, model, &Library::default()).into();
        drop(dir);
        outcome
    });
    check(outcome, &files.iter().map(PathBuf::as_path).collect::<Vec<_>>(), input)
}

/// The dosing tables a scenario names (`file = "…"`, relative to its folder): an error in one
/// may name it instead of the scenario.
fn table_files(dir: &Path, text: &str) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("file")?.trim_start().strip_prefix('='))
        .filter_map(|v| Some(dir.join(v.trim().strip_prefix('"')?.split('"').next()?)))
        .collect()
}

/// Most runs a loaded sweep may have: at ~3,000 runs/s a billion runs are four days of computing,
/// so a larger count is a typo (a stray digit) that the loader should refuse, not a study.
const MOST_RUNS: usize = 1_000_000_000;

/// A loaded sweep's design: as many runs as its kind says (grid: the product of the levels;
/// LHS: samples; Morris: samples × (d + 1); Sobol': samples × (d + 2), or (2d + 2) with second order), a count that neither
/// overflows nor exceeds [`MOST_RUNS`].
fn check_design(sweep: &Sweep) -> Outcome {
    let d = sweep.factors.len();
    let levels: Vec<usize> = sweep.factors.iter().map(|f| f.levels.unwrap_or(1)).collect();
    let runs = match sweep.design {
        DesignKind::Grid => levels.iter().try_fold(1usize, |a, &n| a.checked_mul(n)),
        DesignKind::Lhs | DesignKind::Population => Some(sweep.samples),
        DesignKind::Morris => sweep.samples.checked_mul(d + 1),
        DesignKind::Sobol => sweep.samples.checked_mul(if sweep.second_order { 2 * d + 2 } else { d + 2 }),
    };
    let shape = format!("a {:?} design of {} samples, levels {levels:?}", sweep.design, sweep.samples);
    match runs {
        None => Outcome::Broken(format!("loaded {shape}: its run count overflows")),
        Some(runs) if runs > MOST_RUNS => Outcome::Broken(format!("loaded {shape}: {runs} runs")),
        Some(runs) => match sweep.design().len() {
            len if len == runs => Outcome::Loaded,
            len => Outcome::Broken(format!("loaded {shape}: design().len() = {len}, not {runs}")),
        },
    }
}

/// A sweep written to a temporary folder and loaded; when it loads, its design is checked too.
fn load_sweep(name: &str, bytes: Vec<u8>, input: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.toml"));
    std::fs::write(&path, bytes).unwrap();
    let p = path.clone();
    let outcome = guarded(move || {
        let outcome = match Sweep::load(&p) {
            Ok(sweep) => check_design(&sweep),
            Err(e) => Outcome::Refused(e.to_string()),
        };
        drop(dir);
        outcome
    });
    check(outcome, &[&path], input)
}

fn load_table(text: String, day: f64, mg: f64, input: &str) -> Result<(), TestCaseError> {
    let path = PathBuf::from("fuzz/tables/doses.csv");
    let p = path.clone();
    check(guarded(move || nonmem::read(&p, &text, day, mg).into()), &[&path], input)
}

/// Time and amount factors of real table units (day, h, min, week; mg, ug, g, mg/kg at 70 kg).
const DAY_FACTORS: &[f64] = &[1.0, 1.0 / 24.0, 1.0 / 1440.0, 7.0];
const MG_FACTORS: &[f64] = &[1.0, 1e-3, 1e3, 70.0];

// ---------------------------------------------------------------------------------------------
// The tests.

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mutated_models_are_refused_cleanly(base in any::<Index>(), m in mutations()) {
        let (name, original) = pick(&corpus().models, &base);
        let text = mutate(original, &m);
        load_model(name, text.clone(), &changed_lines(original, &text))?;
    }

    #[test]
    fn mutated_scenarios_are_refused_cleanly(
        base in any::<Index>(),
        m in mutations(),
        swap_species in prop::bool::weighted(0.2),
    ) {
        let (name, original) = pick(&corpus().scenarios, &base);
        let text = mutate(original, &m);
        let input = format!("{name}.toml: {}", changed_lines(original, &text));
        load_scenario(name, text, &corpus().table, model_for(name, swap_species), &input)?;
    }

    #[test]
    fn mutated_dosing_tables_are_refused_cleanly(
        m in mutations(),
        day in select(DAY_FACTORS),
        mg in select(MG_FACTORS),
    ) {
        let original = &corpus().table;
        let text = mutate(original, &m);
        load_table(text.clone(), day, mg, &changed_lines(original, &text))?;
    }

    #[test]
    fn scenarios_with_mutated_dosing_tables_are_refused_cleanly(
        table_mutations in mutations(),
        scenario_mutations in prop::collection::vec(mutation(), 0..=1),
    ) {
        let c = corpus();
        let table = mutate(&c.table, &table_mutations);
        let text = mutate(&c.table_scenario, &scenario_mutations);
        let input = format!(
            "csv: {}; toml: {}",
            changed_lines(&c.table, &table),
            changed_lines(&c.table_scenario, &text)
        );
        load_scenario("baclofen_itb_trial_table", text, &table, &c.human, &input)?;
    }

    #[test]
    fn mutated_sweeps_are_refused_cleanly(base in any::<Index>(), m in mutations()) {
        let (name, original) = pick(&corpus().sweeps, &base);
        let text = mutate(original, &m);
        let input = format!("{name}.toml: {}", changed_lines(original, &text));
        load_sweep(name, text.into_bytes(), &input)?;
    }
}

proptest! {
    #![proptest_config(config(100))]

    #[test]
    fn random_text_is_refused_cleanly(text in random_text(), day in select(DAY_FACTORS)) {
        let input = format!("{text:?}");
        load_model("random", text.clone(), &input)?;
        load_scenario("random", text.clone(), &corpus().table, &corpus().human, &input)?;
        load_table(text.clone(), day, 1.0, &input)?;
        load_sweep("random", text.into_bytes(), &input)?;
    }

    #[test]
    fn random_bytes_as_a_sweep_file_are_refused_cleanly(
        base in any::<Index>(),
        at in any::<Index>(),
        bytes in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        // Not necessarily UTF-8: spliced into a bundled sweep, or alone.
        let (name, original) = pick(&corpus().sweeps, &base);
        let k = at.index(original.len() + 1);
        let mut file = original.as_bytes()[..k].to_vec();
        file.extend_from_slice(&bytes);
        file.extend_from_slice(&original.as_bytes()[k..]);
        load_sweep(name, file, &format!("{name}.toml with {bytes:?} at byte {k}"))?;
        load_sweep("bytes", bytes.clone(), &format!("{bytes:?}"))?;
    }
}

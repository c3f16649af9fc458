//! raphe's Sobol' estimators on outputs computed elsewhere (used by the SALib cross-check):
//! `sobol_indices Y.csv N D` reads one output per line in Saltelli block order and prints the
//! indices as JSON.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, n, d] = args.as_slice() else {
        eprintln!("usage: sobol_indices Y.csv N D");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).expect("readable Y file");
    let y: Vec<f64> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().expect("a number per line"))
        .collect();
    let (n, d): (usize, usize) = (n.parse().expect("N"), d.parse().expect("D"));
    let idx = raphe::sweep::sensitivity::sobol(&y, n, d, 1000, 1);
    println!("{}", serde_json::to_string(&idx).unwrap());
}

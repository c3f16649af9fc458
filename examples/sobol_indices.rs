//! raphe's Sobol' estimators on outputs computed elsewhere (used by the SALib cross-check):
//! `sobol_indices Y.csv N D [second-order]` reads one output per line in Saltelli block order
//! (with the BA rows when `second-order` is given) and prints the indices as JSON:
//! `{"indices": [...], "second_order": [...]}`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, n, d, second_order) = match args.as_slice() {
        [_, path, n, d] => (path, n, d, false),
        [_, path, n, d, flag] if flag == "second-order" => (path, n, d, true),
        _ => {
            eprintln!("usage: sobol_indices Y.csv N D [second-order]");
            std::process::exit(2);
        }
    };
    let text = std::fs::read_to_string(path).expect("readable Y file");
    let y: Vec<f64> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().expect("a number per line"))
        .collect();
    let (n, d): (usize, usize) = (n.parse().expect("N"), d.parse().expect("D"));
    let indices = raphe::sweep::sensitivity::sobol(&y, n, d, second_order, 1000, 1);
    let pairs =
        if second_order { raphe::sweep::sensitivity::sobol_second_order(&y, n, d, 1000, 1) } else { vec![] };
    println!("{}", serde_json::json!({ "indices": indices, "second_order": pairs }));
}

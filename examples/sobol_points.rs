//! Unscrambled Sobol' points from raphe's generator (used by the SciPy cross-check):
//! `sobol_points N D` prints N points of dimension D, one CSV row each, full precision.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, n, d] = args.as_slice() else {
        eprintln!("usage: sobol_points N D");
        std::process::exit(2);
    };
    let (n, d): (u64, usize) = (n.parse().expect("N"), d.parse().expect("D"));
    let sobol = raphe::sweep::sobol_sequence::Sobol::new(d);
    for i in 0..n {
        let row: Vec<String> = (0..d).map(|k| format!("{:?}", sobol.coordinate(i, k))).collect();
        println!("{}", row.join(","));
    }
}

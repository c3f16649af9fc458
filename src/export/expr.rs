//! A small expression tree for the equations written into SBML: built with operators
//! (`v("k") * (v("R") - v("S"))`), printed as MathML (numbers dimensionless, so unit checks
//! see every literal's unit).

use std::ops;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Time,
    Add(Vec<Expr>),
    Mul(Vec<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    /// (value, condition) pieces, then the otherwise value.
    Piecewise(Vec<(Expr, Expr)>, Box<Expr>),
    Geq(Box<Expr>, Box<Expr>),
    Gt(Box<Expr>, Box<Expr>),
    Lt(Box<Expr>, Box<Expr>),
    Leq(Box<Expr>, Box<Expr>),
    And(Vec<Expr>),
}

/// A variable (parameter or state) by SBML id.
pub fn v(id: &str) -> Expr {
    Expr::Var(id.to_string())
}

/// A dimensionless number.
pub fn n(x: f64) -> Expr {
    Expr::Num(x)
}

pub fn pow(a: Expr, b: Expr) -> Expr {
    Expr::Pow(Box::new(a), Box::new(b))
}

pub fn geq(a: Expr, b: Expr) -> Expr {
    Expr::Geq(Box::new(a), Box::new(b))
}

pub fn gt(a: Expr, b: Expr) -> Expr {
    Expr::Gt(Box::new(a), Box::new(b))
}

pub fn lt(a: Expr, b: Expr) -> Expr {
    Expr::Lt(Box::new(a), Box::new(b))
}

pub fn leq(a: Expr, b: Expr) -> Expr {
    Expr::Leq(Box::new(a), Box::new(b))
}

/// `value` where `condition`, else `otherwise`.
pub fn when(condition: Expr, value: Expr, otherwise: Expr) -> Expr {
    Expr::Piecewise(vec![(value, condition)], Box::new(otherwise))
}

/// max(a, b) as a piecewise (every SBML reader has piecewise; not all have max).
pub fn max(a: Expr, b: Expr) -> Expr {
    when(gt(a.clone(), b.clone()), a, b)
}

/// min(a, b).
pub fn min(a: Expr, b: Expr) -> Expr {
    when(lt(a.clone(), b.clone()), a, b)
}

/// a kept inside [lo, hi].
pub fn clamp(a: Expr, lo: f64, hi: f64) -> Expr {
    min(max(a, n(lo)), n(hi))
}

/// x^h / (x^h + half^h), written as r^h / (1 + r^h) with r = x / half so that the power acts
/// on a dimensionless ratio (unit checks cannot follow a power with a parameter exponent).
pub fn hill(x: Expr, half: Expr, h: Expr) -> Expr {
    let rh = pow(x / half, h);
    rh.clone() / (n(1.0) + rh)
}

/// max(e, 0), the zero carrying e's unit.
pub fn positive(e: Expr) -> Expr {
    max(e.clone(), n(0.0) * e)
}

/// The product of `factors` (1 when empty).
pub fn product(factors: Vec<Expr>) -> Expr {
    match factors.len() {
        0 => n(1.0),
        1 => factors.into_iter().next().expect("one"),
        _ => Expr::Mul(factors),
    }
}

/// The sum of `terms` (0 when empty).
pub fn sum(terms: Vec<Expr>) -> Expr {
    match terms.len() {
        0 => n(0.0),
        1 => terms.into_iter().next().expect("one"),
        _ => Expr::Add(terms),
    }
}

impl ops::Add for Expr {
    type Output = Expr;
    fn add(self, o: Expr) -> Expr {
        Expr::Add(vec![self, o])
    }
}

impl ops::Sub for Expr {
    type Output = Expr;
    fn sub(self, o: Expr) -> Expr {
        Expr::Sub(Box::new(self), Box::new(o))
    }
}

impl ops::Mul for Expr {
    type Output = Expr;
    fn mul(self, o: Expr) -> Expr {
        Expr::Mul(vec![self, o])
    }
}

impl ops::Div for Expr {
    type Output = Expr;
    fn div(self, o: Expr) -> Expr {
        Expr::Div(Box::new(self), Box::new(o))
    }
}

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Neg(Box::new(self))
    }
}

/// `x` as SBML writes a real: shortest round-trip text.
pub fn real(x: f64) -> String {
    format!("{x:?}")
}

impl Expr {
    /// Content MathML, without the enclosing `<math>`.
    pub fn mathml(&self) -> String {
        let apply = |op: &str, args: &[&Expr]| {
            let inner: String = args.iter().map(|a| a.mathml()).collect();
            format!("<apply><{op}/>{inner}</apply>")
        };
        match self {
            Expr::Num(x) => format!("<cn sbml:units=\"dimensionless\">{}</cn>", real(*x)),
            Expr::Var(id) => format!("<ci>{id}</ci>"),
            Expr::Time => {
                "<csymbol encoding=\"text\" definitionURL=\"http://www.sbml.org/sbml/symbols/time\">time</csymbol>"
                    .into()
            }
            Expr::Add(xs) => apply("plus", &xs.iter().collect::<Vec<_>>()),
            Expr::Mul(xs) => apply("times", &xs.iter().collect::<Vec<_>>()),
            Expr::And(xs) => apply("and", &xs.iter().collect::<Vec<_>>()),
            Expr::Sub(a, b) => apply("minus", &[a, b]),
            Expr::Div(a, b) => apply("divide", &[a, b]),
            Expr::Pow(a, b) => apply("power", &[a, b]),
            Expr::Neg(a) => apply("minus", &[a]),
            Expr::Geq(a, b) => apply("geq", &[a, b]),
            Expr::Gt(a, b) => apply("gt", &[a, b]),
            Expr::Lt(a, b) => apply("lt", &[a, b]),
            Expr::Leq(a, b) => apply("leq", &[a, b]),
            Expr::Piecewise(pieces, otherwise) => {
                let mut s = String::from("<piecewise>");
                for (value, condition) in pieces {
                    s.push_str(&format!("<piece>{}{}</piece>", value.mathml(), condition.mathml()));
                }
                s.push_str(&format!("<otherwise>{}</otherwise></piecewise>", otherwise.mathml()));
                s
            }
        }
    }

    /// Evaluate with variable values from `lookup` at time `t` (the builder's unit tests).
    #[cfg(test)]
    fn eval(&self, lookup: &dyn Fn(&str) -> f64, t: f64) -> f64 {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        match self {
            Expr::Num(x) => *x,
            Expr::Var(id) => lookup(id),
            Expr::Time => t,
            Expr::Add(xs) => xs.iter().map(|x| x.eval(lookup, t)).sum(),
            Expr::Mul(xs) => xs.iter().map(|x| x.eval(lookup, t)).product(),
            Expr::And(xs) => b(xs.iter().all(|x| x.eval(lookup, t) != 0.0)),
            Expr::Sub(a, c) => a.eval(lookup, t) - c.eval(lookup, t),
            Expr::Div(a, c) => a.eval(lookup, t) / c.eval(lookup, t),
            Expr::Pow(a, c) => a.eval(lookup, t).powf(c.eval(lookup, t)),
            Expr::Neg(a) => -a.eval(lookup, t),
            Expr::Geq(a, c) => b(a.eval(lookup, t) >= c.eval(lookup, t)),
            Expr::Gt(a, c) => b(a.eval(lookup, t) > c.eval(lookup, t)),
            Expr::Lt(a, c) => b(a.eval(lookup, t) < c.eval(lookup, t)),
            Expr::Leq(a, c) => b(a.eval(lookup, t) <= c.eval(lookup, t)),
            Expr::Piecewise(pieces, otherwise) => pieces
                .iter()
                .find(|(_, c)| c.eval(lookup, t) != 0.0)
                .map_or_else(|| otherwise.eval(lookup, t), |(value, _)| value.eval(lookup, t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_build_and_evaluate() {
        let e = v("k") * (v("a") - v("b")) / n(2.0);
        let look = |id: &str| match id {
            "k" => 3.0,
            "a" => 5.0,
            _ => 1.0,
        };
        assert_eq!(e.eval(&look, 0.0), 6.0);
        assert_eq!(max(n(1.0), n(2.0)).eval(&look, 0.0), 2.0);
        assert_eq!(clamp(n(7.0), 0.0, 1.0).eval(&look, 0.0), 1.0);
        assert!((hill(n(2.0), n(2.0), n(3.0)).eval(&look, 0.0) - 0.5).abs() < 1e-15);
        assert!(e.mathml().starts_with("<apply><divide/>"));
        assert_eq!(n(0.1).mathml(), "<cn sbml:units=\"dimensionless\">0.1</cn>");
    }
}

//! Which rules cost the most: for each built-in rule, the time its regex takes over
//! the files of a folder that contain one of its keywords (as the prefilter would
//! select it), and how many files select it. A tool for tuning rules.
//!
//! `cargo run --release -p vigil-secrets --example rule_cost -- DIR [TOP]`
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::time::{Duration, Instant};

use regex::bytes::RegexBuilder;
use vigil_secrets::builtin_rule_specs;

fn files(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => files(&p, out),
            Ok(t) if t.is_file() => {
                if let Ok(b) = std::fs::read(&p) {
                    if b.len() < 10 << 20 && !b[..b.len().min(8000)].contains(&0) {
                        out.push(b);
                    }
                }
            }
            _ => {}
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: rule_cost DIR [TOP]");
    let top: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(25);
    let mut data = Vec::new();
    files(std::path::Path::new(&dir), &mut data);
    let lower: Vec<Vec<u8>> = data.iter().map(|b| b.to_ascii_lowercase()).collect();
    let total: usize = data.iter().map(Vec::len).sum();
    eprintln!("{} files, {:.1} MB", data.len(), total as f64 / 1e6);
    let mut costs: Vec<(Duration, usize, String)> = Vec::new();
    for spec in builtin_rule_specs().expect("rules") {
        let re = RegexBuilder::new(&spec.regex)
            .unicode(false)
            .size_limit(16 << 20)
            .build()
            .expect("regex");
        let kws: Vec<Vec<u8>> = spec
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let start = Instant::now();
        let mut selected = 0;
        for (b, l) in data.iter().zip(&lower) {
            if kws.iter().any(|k| memchr::memmem::find(l, k).is_some()) {
                selected += 1;
                for c in re.captures_iter(b) {
                    std::hint::black_box(c.get(0));
                }
            }
        }
        costs.push((start.elapsed(), selected, spec.id.clone()));
    }
    costs.sort_by_key(|c| std::cmp::Reverse(c.0));
    let sum: Duration = costs.iter().map(|c| c.0).sum();
    println!("all rules: {:.2} s over whole files", sum.as_secs_f64());
    for (d, n, id) in costs.iter().take(top) {
        println!("{:>8.1} ms  {:>6} files  {id}", d.as_secs_f64() * 1e3, n);
    }
}

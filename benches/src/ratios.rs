//! Same-run ratios from criterion's own estimates.
//!
//! Criterion writes `<dir>/<group>/<function>/<value>/new/{benchmark,estimates}.json` for every
//! benchmark it ran. A bench binary records when it started, runs its benchmarks, then reads the
//! estimates written since then (so a ratio never mixes runs) and prints `numerator/denominator`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

/// Where criterion writes its files: `$CRITERION_HOME`, else `<target>/criterion` next to the
/// running bench binary (`<target>/<profile>/deps/<bench>-<hash>`), else `target/criterion`.
///
/// Bench mains pass this to `Criterion::output_directory`, so reader and writer agree.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// One benchmark's time per iteration, from criterion's estimates.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// criterion's full id (`handshake/inmem-verify-full/ecdsa-p256`).
    pub id: String,
    /// Point estimate of one iteration, in nanoseconds (slope when criterion fitted one, else mean).
    pub ns: f64,
    /// Lower bound of the confidence interval, ns.
    pub lower_ns: f64,
    /// Upper bound of the confidence interval, ns.
    pub upper_ns: f64,
}

impl Measured {
    /// Iterations per second at the point estimate.
    pub fn per_sec(&self) -> f64 {
        if self.ns > 0.0 {
            1e9 / self.ns
        } else {
            0.0
        }
    }
}

#[derive(Deserialize)]
struct BenchmarkFile {
    full_id: String,
}

#[derive(Deserialize)]
struct EstimateFile {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct EstimatesFile {
    mean: EstimateFile,
    slope: Option<EstimateFile>,
}

/// Every benchmark under `dir` whose estimates were written at or after `since`, by full id.
pub fn load(dir: &Path, since: SystemTime) -> io::Result<BTreeMap<String, Measured>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                if let Some(m) = read_one(&path, since) {
                    out.insert(m.id.clone(), m);
                }
            } else {
                stack.push(path);
            }
        }
    }
    Ok(out)
}

fn read_one(new_dir: &Path, since: SystemTime) -> Option<Measured> {
    let estimates_path = new_dir.join("estimates.json");
    let modified = fs::metadata(&estimates_path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let bench: BenchmarkFile =
        serde_json::from_slice(&fs::read(new_dir.join("benchmark.json")).ok()?).ok()?;
    let est: EstimatesFile = serde_json::from_slice(&fs::read(estimates_path).ok()?).ok()?;
    let e = est.slope.unwrap_or(est.mean);
    Some(Measured {
        id: bench.full_id,
        ns: e.point_estimate,
        lower_ns: e.confidence_interval.lower_bound,
        upper_ns: e.confidence_interval.upper_bound,
    })
}

/// One line of the ratio table: `numerator / denominator`.
#[derive(Clone, Debug)]
pub struct Ratio {
    /// What the line compares (`ECDSA P-256, verify-full`).
    pub label: String,
    /// Full id of the measured thing.
    pub numerator: String,
    /// Full id of the floor it is divided by.
    pub denominator: String,
}

/// A Markdown table of the ratios whose both sides were measured; rows with a missing side are
/// listed under the table (a filtered run measures only some benchmarks).
pub fn render(measured: &BTreeMap<String, Measured>, ratios: &[Ratio]) -> String {
    let mut out = String::new();
    let mut missing = Vec::new();
    out.push_str("| compared | floor (/s) | measured (/s) | ratio (time / floor time) |\n");
    out.push_str("|---|---:|---:|---:|\n");
    for r in ratios {
        match (measured.get(&r.numerator), measured.get(&r.denominator)) {
            (Some(n), Some(d)) if d.ns > 0.0 => {
                let _ = writeln!(
                    out,
                    "| {} | {:.0} | {:.0} | {:.2} (CI {:.2}–{:.2}) |",
                    r.label,
                    d.per_sec(),
                    n.per_sec(),
                    n.ns / d.ns,
                    n.lower_ns / d.upper_ns,
                    n.upper_ns / d.lower_ns.max(f64::MIN_POSITIVE),
                );
            }
            _ => missing.push(r.label.as_str()),
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(out, "\nnot measured in this run: {}", missing.join(", "));
    }
    out
}

/// Prints every benchmark written since `since` and the ratio table, to stdout.
pub fn print_report(dir: &Path, since: SystemTime, ratios: &[Ratio]) {
    let measured = match load(dir, since) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "pgtls-benches: cannot read criterion estimates in {}: {e}",
                dir.display()
            );
            return;
        }
    };
    if measured.is_empty() {
        return;
    }
    println!("\n## pgtls: this run ({})\n", dir.display());
    println!("| benchmark | time/iter | per second |");
    println!("|---|---:|---:|");
    for m in measured.values() {
        println!("| {} | {} | {:.0} |", m.id, human_ns(m.ns), m.per_sec());
    }
    if !ratios.is_empty() {
        println!("\n## pgtls: ratios against the same-run floor\n");
        print!("{}", render(&measured, ratios));
    }
}

/// `1.23 ms`, `456.7 µs`, `89 ns`.
pub fn human_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, ns: f64) -> Measured {
        Measured {
            id: id.into(),
            ns,
            lower_ns: ns * 0.9,
            upper_ns: ns * 1.1,
        }
    }

    #[test]
    fn ratio_divides_times_and_lists_unmeasured_rows() {
        let mut measured = BTreeMap::new();
        measured.insert("a".to_string(), m("a", 1_250_000.0));
        measured.insert("floor".to_string(), m("floor", 1_000_000.0));
        let table = render(
            &measured,
            &[
                Ratio {
                    label: "A".into(),
                    numerator: "a".into(),
                    denominator: "floor".into(),
                },
                Ratio {
                    label: "B".into(),
                    numerator: "b".into(),
                    denominator: "floor".into(),
                },
            ],
        );
        // 1.25 ms / 1 ms; 1000/s floor, 800/s measured; CI 1.125/1.1 .. 1.375/0.9.
        assert!(
            table.contains("| A | 1000 | 800 | 1.25 (CI 1.02–1.53) |"),
            "{table}"
        );
        assert!(table.contains("not measured in this run: B"), "{table}");
    }

    #[test]
    fn load_reads_only_estimates_written_since_the_run_started() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let new = dir.join("g").join("f").join("new");
        fs::create_dir_all(&new).unwrap();
        fs::write(
            new.join("benchmark.json"),
            r#"{"full_id":"g/f","group_id":"g"}"#,
        )
        .unwrap();
        fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"point_estimate":2000.0,"standard_error":1.0,
                "confidence_interval":{"confidence_level":0.95,"lower_bound":1900.0,"upper_bound":2100.0}},
               "slope":null}"#,
        )
        .unwrap();
        let before = SystemTime::UNIX_EPOCH;
        let got = load(dir, before).unwrap();
        assert_eq!(got.get("g/f").map(|m| m.ns), Some(2000.0));
        let future = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(load(dir, future).unwrap().is_empty());
    }
}

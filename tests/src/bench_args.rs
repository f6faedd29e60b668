//! A benchmark's command line: `--name N` numbers it knows, `--json`, and the `--bench`
//! cargo passes; anything else stops it, saying what it takes.

use std::collections::HashMap;

/// The numbers given, by name (without `--`), and whether `--json` was.
pub struct BenchArgs {
    numbers: HashMap<String, u64>,
    /// `--json`: print JSON instead of a table.
    pub json: bool,
}

impl BenchArgs {
    /// Reads the process's arguments; `known` are the number options' names.
    pub fn parse(known: &[&str]) -> BenchArgs {
        let usage: Vec<String> = known.iter().map(|k| format!("--{k} N")).collect();
        let mut out = BenchArgs {
            numbers: HashMap::new(),
            json: false,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.strip_prefix("--") {
                Some("json") => out.json = true,
                Some("bench") => {}
                Some(name) if known.contains(&name) => {
                    let v = it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
                    let n = v
                        .parse()
                        .unwrap_or_else(|_| panic!("{arg}: not a number: {v}"));
                    out.numbers.insert(name.to_owned(), n);
                }
                _ => panic!("unknown argument {arg}; use {}, --json", usage.join(", ")),
            }
        }
        out
    }

    /// The number given as `--name`, or `default`.
    pub fn number(&self, name: &str, default: u64) -> u64 {
        self.numbers.get(name).copied().unwrap_or(default)
    }
}

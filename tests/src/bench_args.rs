//! A benchmark's command line: `--name N` numbers it knows, `--name VALUE` texts it knows,
//! `--json`, and the `--bench` cargo passes; anything else stops it, saying what it takes.

use std::collections::HashMap;

/// The numbers given, by name (without `--`), and whether `--json` was.
pub struct BenchArgs {
    numbers: HashMap<String, u64>,
    texts: HashMap<String, String>,
    /// `--json`: print JSON instead of a table.
    pub json: bool,
}

impl BenchArgs {
    /// Reads the process's arguments; `known` are the number options' names.
    pub fn parse(known: &[&str]) -> BenchArgs {
        BenchArgs::parse_with(known, &[])
    }

    /// Reads the process's arguments; `known` are the number options' names, `texts` the
    /// others'.
    pub fn parse_with(known: &[&str], texts: &[&str]) -> BenchArgs {
        let usage: Vec<String> = known
            .iter()
            .map(|k| format!("--{k} N"))
            .chain(texts.iter().map(|k| format!("--{k} VALUE")))
            .collect();
        let mut out = BenchArgs {
            numbers: HashMap::new(),
            texts: HashMap::new(),
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
                Some(name) if texts.contains(&name) => {
                    let v = it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
                    out.texts.insert(name.to_owned(), v);
                }
                _ => panic!("unknown argument {arg}; use {}, --json", usage.join(", ")),
            }
        }
        out
    }

    /// The text given as `--name`, if any.
    pub fn text(&self, name: &str) -> Option<String> {
        self.texts.get(name).cloned()
    }

    /// The number given as `--name`, or `default`.
    pub fn number(&self, name: &str, default: u64) -> u64 {
        self.numbers.get(name).copied().unwrap_or(default)
    }
}

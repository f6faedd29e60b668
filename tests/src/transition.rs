//! One planned change end to end, the same way for every change: the previous schema with
//! rows in it, the plan applied phase by phase while old code and new code keep running on
//! their own connections, the final catalog compared with the model, no row lost, the downs
//! run back to the previous schema with the data of the columns both versions share; and,
//! on a second database, the locks, scans and rewrites of every expand and backfill
//! statement, recorded from another connection.

use crate::{
    Scenario, Workload, WorkloadReport, assert_claims, assert_schema_matches,
    assert_schema_matches_any_column_order, at, checksum, effects,
};
use migrate_core::model::Table;
use migrate_core::plan::{Phase, Step};
use migrate_core::project::{GenerateOptions, Pending};
use migrate_core::sql::ident;
use std::path::PathBuf;

/// Timestamp of the migration under test; its version schema is `migrate_<it>`.
pub const TS: &str = "29990101000000";

/// Statements each workload runs in each stretch between two phases (counted, not timed).
const TRAFFIC: u64 = 25;

/// A model change exercised end to end under traffic.
pub struct Transition<'a> {
    /// Prefix of its databases.
    pub name: &'a str,
    /// Models before.
    pub v1: &'a str,
    /// Rows of the previous schema (at least 10,000, NULLs and edge values included).
    pub seed: &'a str,
    /// Models after.
    pub v2: &'a str,
    /// What code built against `v1` runs, one statement each, from before expand until the
    /// deploy (it is gone before contract).
    pub old_code: &'a [&'a str],
    /// What code built against `v2` runs, through the version schema when there is one,
    /// from the end of expand through contract.
    pub new_code: &'a [&'a str],
    /// `--allow-drop` acknowledgements.
    pub allow_drop: &'a [&'a str],
    /// A query run after backfill, while old and new code both write, that must return
    /// `t` (e.g. each side's rows visible under the other's names).
    pub during: Option<&'a str>,
    /// What an operator does before rolling back, as the down file asks (e.g. give NULLs
    /// written since a value before NOT NULL comes back).
    pub before_down: Option<&'a str>,
}

impl Default for Transition<'_> {
    /// Nothing to drop, no mid-transition query, nothing to do before the downs; the
    /// models, seed and code are the test's to fill in.
    fn default() -> Self {
        Transition {
            name: "",
            v1: "",
            seed: "",
            v2: "",
            old_code: &[],
            new_code: &[],
            allow_drop: &[],
            during: None,
            before_down: None,
        }
    }
}

/// What a run left behind, for the test's own checks.
pub struct Outcome {
    /// The scratch crate and its database, rolled back to `v1` at the end of the run.
    pub sc: Scenario,
    /// The migration to `v1`.
    pub v1: Pending,
    /// The migration under test.
    pub v2: Pending,
    /// Its folder.
    pub path: PathBuf,
    /// What old code saw.
    pub old: WorkloadReport,
    /// What new code saw.
    pub new: WorkloadReport,
    /// Per expand and backfill statement: its locks, scans and whether it rewrote.
    pub locks: String,
    /// What the database held after contract, read by the test's `after_contract` query.
    pub after_contract: String,
}

impl Transition<'_> {
    fn options(&self) -> GenerateOptions {
        GenerateOptions {
            allow_drop: self.allow_drop.iter().map(|s| (*s).to_owned()).collect(),
            ..at(TS)
        }
    }

    /// Runs the whole transition, then `after_contract` (a query returning one value, kept
    /// in the outcome), then the downs. Panics on the first broken promise.
    pub fn run(&self, after_contract: &str) -> Outcome {
        assert!(!self.old_code.is_empty() && !self.new_code.is_empty());
        let locks = self.measure_locks();

        let sc = Scenario::new(self.name);
        let v1 = sc.start(self.v1, self.seed);
        let (v2, path) = sc.generate(self.v2, &self.options());
        let before = row_counts(&sc, &v1.snapshot.tables, &v2.snapshot.tables);

        let old = Workload::start(&sc.db, "", self.old_code);
        old.wait_for(TRAFFIC);
        sc.apply(&path, Phase::Expand, "up");
        old.wait_for(TRAFFIC);
        // Deploy: new instances start while old ones still run.
        let setup = v2
            .plan
            .version_schema
            .as_ref()
            .map(|s| format!("SET search_path = {}, public", ident(s)))
            .unwrap_or_default();
        let new = Workload::start(&sc.db, &setup, self.new_code);
        new.wait_for(TRAFFIC);
        sc.apply(&path, Phase::Backfill, "up");
        old.wait_for(TRAFFIC);
        new.wait_for(TRAFFIC);
        if let Some(q) = self.during {
            assert_eq!(sc.db.value(q), "t", "during the transition: {q}");
        }
        // Old instances drain before contract.
        let old = old.stop();
        sc.apply(&path, Phase::Contract, "up");
        new.wait_for(TRAFFIC);
        let new = new.stop();
        println!(
            "{}: old code {} statements (worst {:?}), new code {} (worst {:?})",
            self.name, old.statements, old.worst, new.statements, new.worst
        );
        assert!(old.errors.is_empty(), "old code failed: {:#?}", old.errors);
        assert!(new.errors.is_empty(), "new code failed: {:#?}", new.errors);
        assert_schema_matches(&sc.db, &v2.snapshot.tables, "after contract");
        for (table, count, max_id) in &before {
            assert_eq!(
                &sc.db.value(&format!(
                    "SELECT count(*) FROM {} WHERE id <= {max_id}",
                    ident(table)
                )),
                count,
                "rows of {table} that existed before expand are all still there"
            );
        }
        let after_contract = sc.db.value(after_contract);

        // Down, newest phase first, unless the plan destroys data (then it carries the
        // acknowledgement marker): the previous schema, and the data of every column both
        // versions share exactly as it was after contract.
        if v2.plan.steps.iter().any(|s| !s.destroys.is_empty()) {
            let contract =
                std::fs::read_to_string(path.join("contract.up.sql")).expect("contract file");
            assert!(
                contract.contains("-- migrate:destructive"),
                "a plan destroying data carries the acknowledgement marker:\n{contract}"
            );
            return Outcome {
                sc,
                v1,
                v2,
                path,
                old,
                new,
                locks,
                after_contract,
            };
        }
        let shared = shared_columns(&v1.snapshot.tables, &v2.snapshot.tables);
        let sums = |sc: &Scenario, new_names: bool| -> Vec<String> {
            shared
                .iter()
                .map(|(t1, t2, cols)| checksum(&sc.db, if new_names { t2 } else { t1 }, cols))
                .collect()
        };
        if let Some(q) = self.before_down {
            sc.db.sql(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        let kept = sums(&sc, true);
        for phase in Phase::ALL.iter().rev() {
            sc.apply(&path, *phase, "down");
        }
        assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
        assert_eq!(
            sums(&sc, false),
            kept,
            "the downs kept the shared columns' data"
        );

        Outcome {
            sc,
            v1,
            v2,
            path,
            old,
            new,
            locks,
            after_contract,
        }
    }

    /// On a database of its own: every expand and backfill statement run alone (or with
    /// the statements it shares a transaction with), its locks read from a second
    /// connection. None rewrites a table, and none holds ACCESS EXCLUSIVE while it scans.
    fn measure_locks(&self) -> String {
        let sc = Scenario::new(&format!("{}_locks", self.name));
        sc.start(self.v1, self.seed);
        let (v2, path) = sc.generate(self.v2, &self.options());
        let mut report = String::new();
        let steps: Vec<&Step> = v2
            .plan
            .steps
            .iter()
            .filter(|s| s.phase != Phase::Contract)
            .collect();
        let mut i = 0;
        while i < steps.len() {
            let mut group = vec![steps[i]];
            while steps[i].shares_transaction
                && i + 1 < steps.len()
                && steps[i + 1].shares_transaction
                && steps[i + 1].phase == steps[i].phase
            {
                i += 1;
                group.push(steps[i]);
            }
            i += 1;
            let step = group[0];
            let sql: Vec<&str> = group.iter().map(|s| s.sql.as_str()).collect();
            let sql = sql.join(";\n");
            let exists = sc.db.value(&format!(
                "SELECT to_regclass({}) IS NOT NULL",
                migrate_core::sql::literal(&ident(&step.table))
            )) == "t";
            let first_line: String = sql.lines().next().unwrap_or("").chars().take(72).collect();
            if !step.transactional() || !exists {
                sc.db.sql(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let why = if exists {
                    "outside a transaction"
                } else {
                    "new table"
                };
                report.push_str(&format!(
                    "{:<8} {first_line}\n         ({why})\n",
                    step.phase.as_str()
                ));
                continue;
            }
            let e = effects(&sc.db, &step.table, &sql);
            report.push_str(&format!(
                "{:<8} {first_line}\n         {:?} scans={} rewrote={}\n",
                step.phase.as_str(),
                e.modes,
                e.scans,
                e.rewrote
            ));
            assert!(!e.rewrote, "{sql}: rewrote the table");
            if e.access_exclusive() {
                assert_eq!(e.scans, 0, "{sql}: scanned under ACCESS EXCLUSIVE");
            }
            assert_claims(&group, &e, &sql);
        }
        sc.apply(&path, Phase::Contract, "up");
        assert_schema_matches(&sc.db, &v2.snapshot.tables, "applied step by step");
        report
    }
}

/// `(table after, row count, largest id)` of every table of `before` that `after` keeps
/// (under its new name when renamed).
fn row_counts(sc: &Scenario, before: &[Table], after: &[Table]) -> Vec<(String, String, String)> {
    before
        .iter()
        .filter_map(|t| {
            let kept = after
                .iter()
                .find(|a| a.name == t.name || a.renamed_from.as_deref() == Some(&t.name))?;
            t.column("id")?;
            let q = ident(&t.name);
            Some((
                kept.name.clone(),
                sc.db.value(&format!("SELECT count(*) FROM {q}")),
                sc.db
                    .value(&format!("SELECT coalesce(max(id), 0) FROM {q}")),
            ))
        })
        .collect()
}

/// `(name before, name after, columns)`: the columns with the same name and type in both
/// versions of each table both keep.
fn shared_columns(before: &[Table], after: &[Table]) -> Vec<(String, String, Vec<String>)> {
    before
        .iter()
        .filter_map(|t| {
            let a = after
                .iter()
                .find(|a| a.name == t.name || a.renamed_from.as_deref() == Some(&t.name))?;
            let cols: Vec<String> = t
                .columns
                .iter()
                .filter(|c| {
                    a.column(&c.name)
                        .is_some_and(|ac| ac.sql_type == c.sql_type)
                })
                .map(|c| c.name.clone())
                .collect();
            Some((t.name.clone(), a.name.clone(), cols))
        })
        .collect()
}

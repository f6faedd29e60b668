//! PostgreSQL's eight table-level lock modes and their conflict table ("Explicit Locking"
//! in the manual), the one place the project spells a lock mode.

/// A table-level lock mode, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockMode {
    /// `SELECT`.
    AccessShare,
    /// `SELECT … FOR UPDATE / FOR SHARE`; a foreign key's validation on the referenced table.
    RowShare,
    /// `INSERT`, `UPDATE`, `DELETE`.
    RowExclusive,
    /// `VACUUM`, `ANALYZE`, `CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`.
    ShareUpdateExclusive,
    /// `CREATE INDEX` (without `CONCURRENTLY`).
    Share,
    /// `CREATE TRIGGER`, `ADD FOREIGN KEY`.
    ShareRowExclusive,
    /// `REFRESH MATERIALIZED VIEW CONCURRENTLY`.
    Exclusive,
    /// Most `ALTER TABLE` forms, `DROP`, `TRUNCATE`, `VACUUM FULL`, `CLUSTER`.
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// As the manual and `LOCK TABLE` spell it: `ACCESS EXCLUSIVE`.
    pub fn as_sql(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// As `pg_locks.mode` spells it: `AccessExclusiveLock`.
    pub fn pg_locks_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The mode `pg_locks.mode` names.
    pub fn from_pg_locks(name: &str) -> Option<LockMode> {
        LockMode::ALL
            .into_iter()
            .find(|m| m.pg_locks_name() == name)
    }

    /// Whether a session holding `self` makes a session asking for `other` wait (the
    /// manual's "Conflicting Lock Modes" table; symmetric).
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let weaker_blocked = match self.max(other) {
            AccessShare | RowShare | RowExclusive => return false,
            ShareUpdateExclusive => ShareUpdateExclusive,
            Share => RowExclusive,
            ShareRowExclusive => RowExclusive,
            Exclusive => RowShare,
            AccessExclusive => AccessShare,
        };
        let (low, high) = (self.min(other), self.max(other));
        // SHARE does not conflict with itself; every stronger mode does.
        if high == Share && low == Share {
            return false;
        }
        low >= weaker_blocked
    }

    /// Whether it makes `SELECT` wait.
    pub fn blocks_reads(self) -> bool {
        self.conflicts_with(LockMode::AccessShare)
    }

    /// Whether it makes `INSERT` / `UPDATE` / `DELETE` wait.
    pub fn blocks_writes(self) -> bool {
        self.conflicts_with(LockMode::RowExclusive)
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_sql())
    }
}

#[cfg(test)]
mod tests {
    use super::LockMode::{self, *};

    /// The manual's table, row by row: the modes each mode conflicts with.
    const MANUAL: [(LockMode, &[LockMode]); 8] = [
        (AccessShare, &[AccessExclusive]),
        (RowShare, &[Exclusive, AccessExclusive]),
        (
            RowExclusive,
            &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
        ),
        (
            ShareUpdateExclusive,
            &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
        ),
        (
            Share,
            &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
        ),
        (
            ShareRowExclusive,
            &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
        ),
        (
            Exclusive,
            &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
        ),
        (AccessExclusive, &LockMode::ALL),
    ];

    #[test]
    fn conflicts_follow_the_manual() {
        for (mode, conflicting) in MANUAL {
            for other in LockMode::ALL {
                assert_eq!(
                    mode.conflicts_with(other),
                    conflicting.contains(&other),
                    "{mode} vs {other}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for m in LockMode::ALL {
            assert_eq!(LockMode::from_pg_locks(m.pg_locks_name()), Some(m));
        }
        assert!(AccessExclusive.blocks_reads() && !Exclusive.blocks_reads());
        assert!(Share.blocks_writes() && !ShareUpdateExclusive.blocks_writes());
    }
}

//! How a run paces itself against the traffic: each retry of a statement waiting for a
//! lock that blocks traffic waits longer (so the writers queued behind it stall about the
//! first timeout), and each backfill batch is sized from the last one's time (so it holds
//! its row locks about the target time whatever the rows cost).

use super::ApplyOptions;
use std::time::Duration;

/// The fewest rows a paced batch holds.
pub const MIN_BATCH: u32 = 100;
/// The most rows a paced batch holds.
pub const MAX_BATCH: u32 = 200_000;

impl ApplyOptions {
    /// The size of the batch after one of `size` rows that took `took`: sized to take
    /// `batch_target`, within half to twice `size` (a batch's time is noisy), between
    /// [`MIN_BATCH`] and [`MAX_BATCH`] rows; `size` itself when a fixed size is asked for.
    pub fn next_batch_size(&self, size: u32, took: Duration) -> u32 {
        if self.batch_size.is_some() || self.batch_target.is_zero() {
            return size;
        }
        let ratio = self.batch_target.as_secs_f64() / took.as_secs_f64().max(1e-4);
        let next = (f64::from(size) * ratio.clamp(0.5, 2.0)).round();
        (next as u32).clamp(MIN_BATCH, MAX_BATCH)
    }

    /// The lock timeout of the attempt after `retries` retries: `first_lock_timeout`
    /// doubled per retry, capped at `lock_timeout` (a zero first timeout: the cap).
    pub fn lock_timeout_of(&self, retries: u32) -> Duration {
        if self.first_lock_timeout.is_zero() {
            return self.lock_timeout;
        }
        self.first_lock_timeout
            .saturating_mul(1 << retries.min(20))
            .min(self.lock_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn lock_timeouts_double_from_the_first_to_the_cap() {
        let o = ApplyOptions::default();
        let waits: Vec<u128> = (0..8).map(|r| o.lock_timeout_of(r).as_millis()).collect();
        assert_eq!(waits, [50, 100, 200, 400, 800, 1600, 2000, 2000]);
        let fixed = ApplyOptions {
            first_lock_timeout: Duration::ZERO,
            ..ApplyOptions::default()
        };
        assert_eq!(fixed.lock_timeout_of(0), ms(2000));
        assert_eq!(o.lock_timeout_of(u32::MAX), ms(2000), "no overflow");
    }

    #[test]
    fn batches_are_sized_to_the_target_within_half_to_twice_the_last() {
        let o = ApplyOptions::default(); // 200 ms
        assert_eq!(o.next_batch_size(1000, ms(100)), 2000);
        assert_eq!(o.next_batch_size(1000, ms(10)), 2000, "at most twice");
        assert_eq!(o.next_batch_size(1000, ms(250)), 800);
        assert_eq!(o.next_batch_size(1000, ms(5000)), 500, "at least half");
        assert_eq!(o.next_batch_size(150, ms(5000)), MIN_BATCH);
        assert_eq!(o.next_batch_size(MAX_BATCH, ms(1)), MAX_BATCH);
        assert_eq!(o.next_batch_size(1000, Duration::ZERO), 2000);
        let fixed = ApplyOptions {
            batch_size: Some(1000),
            ..ApplyOptions::default()
        };
        assert_eq!(
            fixed.next_batch_size(1000, ms(1)),
            1000,
            "a fixed size stays"
        );
        let unpaced = ApplyOptions {
            batch_target: Duration::ZERO,
            ..ApplyOptions::default()
        };
        assert_eq!(unpaced.next_batch_size(1000, ms(1)), 1000);
    }
}

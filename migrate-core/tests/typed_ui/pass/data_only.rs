// A data-only migration: an empty expand (no file), then a batched backfill.
use migrate_core::typed::*;

fn main() {
    let m = Migration::new("20261125120000_lowercase_emails")
        .expand(|_| {})
        .backfill(|p| {
            p.add(
                BackfillColumn::new("users", "email", "lower(email)", ["id"])
                    .condition("email <> lower(email)")
                    .batch_size(500),
            )
            .add(ValidateConstraint::new("users", "users_email_lower"));
        });
    let files = m.files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "backfill.up.sql");
    assert!(files[0].1.contains("-- migrate:batch "));
}

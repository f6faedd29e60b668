use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "invoices")]
struct Invoice {
    #[schema(primary_key, identity, sql_type = "numeric")]
    id: i64,
}

fn main() {}

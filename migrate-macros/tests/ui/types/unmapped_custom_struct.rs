use migrate_macros::Schema;

struct Money;

#[derive(Schema)]
#[schema(table = "orders")]
struct Order {
    #[schema(primary_key)]
    id: i64,
    total: Money,
}

fn main() {}

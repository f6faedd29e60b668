use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "products", check(name = "products_price_positive"))]
struct Product {
    #[schema(primary_key)]
    id: i64,
    price_cents: i64,
}

fn main() {}

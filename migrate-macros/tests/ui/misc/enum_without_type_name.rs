use migrate_macros::Schema;

#[derive(Schema)]
enum Status {
    Active,
    Suspended,
}

fn main() {}

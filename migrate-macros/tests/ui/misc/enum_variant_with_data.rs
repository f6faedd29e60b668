use migrate_macros::Schema;

#[derive(Schema)]
#[schema(type_name = "shape", rename_all = "Snake")]
enum Shape {
    Circle { radius: f64 },
    Square,
    #[schema(rename = "square")]
    Box,
}

fn main() {}

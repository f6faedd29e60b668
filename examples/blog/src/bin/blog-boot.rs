//! The example app's start-up: connect, migrate on the app's own pool, report. Run with
//! `DATABASE_URL=… cargo run -p blog-example --bin blog-boot`.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("blog-boot: set DATABASE_URL");
        return ExitCode::from(2);
    };
    let pool = match sqlx::PgPool::connect(&url).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("blog-boot: {e}");
            return ExitCode::from(2);
        }
    };
    match blog_example::migrate_on_boot(&pool).await {
        Ok(report) => {
            for (id, phase) in &report.applied {
                println!("applied {id} {phase}");
            }
            if let Some((id, phase)) = &report.stopped_before {
                println!("{phase} of {id} waits for the deploy");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blog-boot: {e}");
            ExitCode::from(2)
        }
    }
}

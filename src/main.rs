use clap::Parser;

// The profile of list pages showed the system allocator at ~40% of CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use trusthub::config::{CatalogCommand, Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr: stdout carries the start-up lines tools read.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TRUSTHUB_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => trusthub::serve(*args).await,
        Command::Admin(args) => trusthub::admin_cli::run(args).await,
        Command::Migrate(store) => trusthub::transfer::migrate(&store.database_url).await,
        Command::Export { store, output } => {
            trusthub::transfer::export(&store.database_url, output.as_deref()).await
        }
        Command::Import { store, input } => {
            trusthub::transfer::import(&store.database_url, input.as_deref()).await
        }
        Command::Catalog {
            command: CatalogCommand::Check { dir },
        } => {
            let c = trusthub::catalog::load(dir.as_deref())?;
            println!(
                "catalog OK: {} policies, {} end-user types, {} supporting-document types, {} phone-number blocks, {} A2P use cases",
                c.policies.len(),
                c.end_user_types.len(),
                c.supporting_document_types.len(),
                c.numbers.countries.iter().map(|n| n.blocks.len()).sum::<usize>(),
                c.usecases.us_app_to_person.len()
            );
            Ok(())
        }
    }
}

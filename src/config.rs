//! Command line and `TRUSTHUB_*` environment variables, in one place.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "trusthub",
    version,
    about = "A self-hostable TrustHub v1 server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Work with catalog directories.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Validate a catalog directory (policies.json, end_user_types.json,
    /// supporting_document_types.json); without a directory, the built-in one.
    Check { dir: Option<PathBuf> },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TRUSTHUB_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Store location; a SQLite file is created if missing.
    #[arg(
        long,
        env = "TRUSTHUB_DATABASE_URL",
        default_value = "sqlite://trusthub.db"
    )]
    pub database_url: String,
    /// Base of every URL in responses (default: http://<listen>).
    #[arg(long, env = "TRUSTHUB_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory of catalog JSON (default: the catalog built into the binary).
    #[arg(long, env = "TRUSTHUB_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Account SID of the bootstrap account (AC + 32 hex).
    #[arg(long, env = "TRUSTHUB_ACCOUNT_SID")]
    pub account_sid: Option<String>,
    /// Auth token of the bootstrap account.
    #[arg(long, env = "TRUSTHUB_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
}

//! The `tally` command: run the server, apply migrations, create API keys, and
//! import plans or exchange rates into the embedded or PostgreSQL store.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tally_app::access::Bootstrap;
use tally_app::{App, Config};
use tally_core::access::{Access, Resource, Scopes};
use tally_core::clock::SystemClock;
use tally_store::Db;

/// mimalloc: the server allocates many small short-lived buffers per request;
/// glibc's allocator spent a fifth of the CPU there and fragmented under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives freed memory back to the OS at once and commits arenas on demand, so the
/// resident size follows what the server holds (the read caches are bounded)
/// rather than its peak. Option numbers of the vendored mimalloc v3 header.
#[allow(unsafe_code)] // The one exception to the workspace's no-unsafe rule.
fn tune_allocator() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    // SAFETY: `mi_option_set` only stores an integer in mimalloc's option table;
    // it takes no pointers and is safe to call at any time from any thread.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

#[derive(Parser)]
#[command(name = "tally", version, about = "Self-hosted subscription billing and checkout server speaking the PayNext Billing API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// Folder of the embedded store (SQLite file `tally.db`).
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "./tally-data")]
    data_dir: PathBuf,
    /// A `postgres://` URL switches to PostgreSQL; otherwise the embedded store is used.
    #[arg(long, env = "TALLY_DATABASE_URL")]
    database_url: Option<String>,
    /// Embedded store durability: `full` syncs every commit to disk (survives power
    /// loss); `normal` syncs at checkpoints (survives a crash of the process, may
    /// lose the last commits on power loss) and writes much faster.
    #[arg(long, env = "TALLY_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = ["full", "normal"])]
    sqlite_synchronous: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (applies migrations first).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, env = "TALLY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// How long a client session stays usable, e.g. `24h`, `30m`, `90s`.
        #[arg(long, env = "TALLY_SESSION_TTL", default_value = "24h")]
        session_ttl: String,
        /// On first start with an empty store, this exact string becomes a full-scope key.
        #[arg(long, env = "TALLY_BOOTSTRAP_API_KEY", hide_env_values = true)]
        bootstrap_api_key: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage plans.
    Plans {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Manage exchange rates.
    Rates {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Print the OpenAPI 3.1 document of the API (as served at /openapi.json).
    Openapi,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create an API key and print its secret once.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// A name to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Organization id (default: the root organization).
        #[arg(long)]
        organization: Option<String>,
        /// Scopes as `resource=level` pairs, comma separated, e.g.
        /// `plans=read,customers=write,client_sessions=write`. Default: every scope.
        #[arg(long)]
        scopes: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import from a JSON (or, for plans, YAML) file.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        /// The file to read.
        file: PathBuf,
        /// Organization id (default: the root organization).
        #[arg(long)]
        organization: Option<String>,
    },
}

fn init_logs() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TALLY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if std::env::var("TALLY_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

async fn open(store: &StoreArgs) -> Result<Db> {
    let db = match store.database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) if tally_store::is_postgres_url(url) => Db::open_postgres(url, 16).await.context("connecting to PostgreSQL")?,
        Some(other) => bail!("TALLY_DATABASE_URL must be a postgres:// URL (got `{other}`); leave it unset for the embedded store"),
        None => {
            std::fs::create_dir_all(&store.data_dir)
                .with_context(|| format!("creating data dir {}", store.data_dir.display()))?;
            let file = store.data_dir.join("tally.db");
            Db::open_sqlite(&file, store.sqlite_synchronous == "full").await.with_context(|| format!("opening {}", file.display()))?
        }
    };
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

fn app(db: Db, config: Config) -> App {
    App::new(db, Arc::new(SystemClock), config)
}

async fn org_id(app: &App, requested: Option<String>) -> Result<String> {
    if let Some(id) = requested {
        app.organization(&id).await?.with_context(|| format!("no organization `{id}`"))?;
        return Ok(id);
    }
    // First run of a command on an empty store: bootstrap as `serve` would.
    if let Bootstrap::Created { secret, generated: true, .. } = app.bootstrap(None).await? {
        eprintln!("created the root organization; its bootstrap API key (shown once): {secret}");
    }
    Ok(app.root_organization().await?.context("no root organization")?.id)
}

fn parse_scopes(s: &str) -> Result<Scopes> {
    let mut requested = std::collections::BTreeMap::new();
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (r, a) = pair.split_once('=').with_context(|| format!("scope `{pair}` is not `resource=level`"))?;
        let resource = Resource::parse(r.trim()).with_context(|| {
            format!("unknown resource `{r}`; resources: {}", Resource::ALL.map(|r| r.as_str()).join(", "))
        })?;
        let access = match a.trim() {
            "none" => Access::None,
            "read" => Access::Read,
            "write" => Access::Write,
            other => bail!("unknown level `{other}` for {r}: use none, read or write"),
        };
        requested.insert(resource, access);
    }
    Ok(Scopes::from_requested(&requested)?)
}

fn read_plans(file: &Path) -> Result<Vec<(Option<String>, tally_core::plan::PlanTerms)>> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let yaml = matches!(file.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    let plans: Vec<tally_http::wire::PlanCreate> = if yaml {
        serde_yaml::from_str(&text).with_context(|| format!("{} is not a YAML list of plans", file.display()))?
    } else {
        serde_json::from_str(&text).with_context(|| format!("{} is not a JSON list of plans", file.display()))?
    };
    Ok(plans.into_iter().map(|p| p.into_parts()).collect())
}

async fn serve(db: Db, listen: &str, config: Config, bootstrap_key: Option<String>) -> Result<()> {
    let app = app(db.clone(), config);
    match app.bootstrap(bootstrap_key.as_deref()).await? {
        Bootstrap::Created { organization, secret, generated } => {
            tracing::info!(organization = %organization.id, "created the default sandbox organization");
            if generated {
                // Printed once, to the console only.
                println!("\nBootstrap API key (full scope, shown once — store it now):\n\n    {secret}\n");
            }
        }
        Bootstrap::AlreadyDone => {}
    }
    // Idempotency records are kept 24 h; forget older ones once an hour.
    let janitor = app.clone();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            match janitor.purge_idempotency_keys().await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "purged expired idempotency keys"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    tracing::info!(listen = %listener.local_addr()?, store = db.kind(), "tally is serving");
    axum::serve(listener, tally_http::router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await?;
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tune_allocator();
    init_logs();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { store, listen, session_ttl, bootstrap_api_key } => {
            let session_ttl: jiff::SignedDuration = session_ttl
                .parse()
                .with_context(|| format!("TALLY_SESSION_TTL `{session_ttl}` is not a duration such as 24h or 30m"))?;
            if session_ttl <= jiff::SignedDuration::ZERO {
                bail!("TALLY_SESSION_TTL must be positive");
            }
            let db = open(&store).await?;
            serve(db, &listen, Config { session_ttl, ..Config::default() }, bootstrap_api_key.filter(|k| !k.is_empty())).await
        }
        Command::Openapi => {
            println!("{}", tally_http::openapi_document().to_pretty_json()?);
            Ok(())
        }
        Command::Migrate { store } => {
            let db = open(&store).await?;
            println!("migrations applied ({})", db.kind());
            Ok(())
        }
        Command::Keys { command: KeysCommand::Create { store, name, organization, scopes } } => {
            let app = app(open(&store).await?, Config::default());
            let org_id = org_id(&app, organization).await?;
            let org = app.organization(&org_id).await?.context("organization vanished")?;
            let scopes = scopes.as_deref().map(parse_scopes).transpose()?;
            let created = app.create_key_unchecked(&org, &name, scopes).await?;
            println!("{}", created.secret);
            eprintln!("created {} in {} (shown once)", created.key.id, org.id);
            Ok(())
        }
        Command::Plans { command: ImportCommand::Import { store, file, organization } } => {
            let entries = read_plans(&file)?;
            let app = app(open(&store).await?, Config::default());
            let org = org_id(&app, organization).await?;
            let (created, updated) = app.import_plans(&org, entries).await?;
            println!("imported plans: {created} created, {updated} updated");
            Ok(())
        }
        Command::Rates { command: ImportCommand::Import { store, file, organization } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let body: tally_http::wire::RatesInput = serde_json::from_str(&text).with_context(|| format!("{} is not a rate table", file.display()))?;
            let import = tally_http::routes::admin::rate_import(body).map_err(|e| anyhow::anyhow!(e.message))?;
            let n = import.rates.len();
            let app = app(open(&store).await?, Config::default());
            let org = org_id(&app, organization).await?;
            app.import_rates(&org, import).await?;
            println!("imported {n} exchange rates");
            Ok(())
        }
    }
}

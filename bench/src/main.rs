//! `tally-bench`: the bare reference server of the benchmark (`bench/run.sh`).
//!
//! It serves, for the three measured routes, exactly the response bytes captured
//! from the real server, with the same content type, and does nothing else: no
//! store, no authentication, no logging, no middleware. It runs on the same
//! runtime as `tally serve` (`#[tokio::main]`, multi-thread, default workers)
//! and the same `axum::serve`, so the ratio real / bare is what Tally's own
//! work costs on top of the HTTP stack.
//!
//! ```text
//! tally-bench bare --dir <captured-bodies> --listen 127.0.0.1:<port>
//! ```
//!
//! The directory holds one file per endpoint (written by `bench/run.sh`):
//!
//! | route                     | body file                  | content type (optional)            |
//! |---------------------------|----------------------------|------------------------------------|
//! | `GET /client-session/{id}`| `get_client_session.body`  | `get_client_session.content-type`  |
//! | `GET /plans/{id}`         | `get_plan.body`            | `get_plan.content-type`            |
//! | `POST /client-session`    | `post_client_session.body` | `post_client_session.content-type` |
//!
//! A missing content-type file means `application/json`. `GET /healthz`
//! answers `ok` for readiness checks.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// The request-body limit of the real server (`tally_http::extract::BODY_LIMIT`).
const BODY_LIMIT: usize = 1024 * 1024;

/// One canned answer: the captured bytes and their content type.
#[derive(Clone)]
struct Canned {
    content_type: HeaderValue,
    body: Bytes,
}

impl Canned {
    fn load(dir: &std::path::Path, name: &str) -> Result<Canned, String> {
        let body_file = dir.join(format!("{name}.body"));
        let body = std::fs::read(&body_file).map_err(|e| format!("reading {}: {e}", body_file.display()))?;
        let ct_file = dir.join(format!("{name}.content-type"));
        let content_type = match std::fs::read_to_string(&ct_file) {
            Ok(s) => s.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "application/json".to_string(),
            Err(e) => return Err(format!("reading {}: {e}", ct_file.display())),
        };
        let content_type =
            HeaderValue::from_str(&content_type).map_err(|e| format!("{}: bad content type `{content_type}`: {e}", ct_file.display()))?;
        Ok(Canned { content_type, body: Bytes::from(body) })
    }

    fn respond(&self) -> Response {
        let mut resp = Response::new(Body::from(self.body.clone()));
        resp.headers_mut().insert(header::CONTENT_TYPE, self.content_type.clone());
        resp
    }
}

struct Bodies {
    get_session: Canned,
    get_plan: Canned,
    post_session: Canned,
}

type Shared = State<Arc<Bodies>>;

async fn get_session(State(b): Shared, Path(_id): Path<String>) -> Response {
    b.get_session.respond()
}

async fn get_plan(State(b): Shared, Path(_id): Path<String>) -> Response {
    b.get_plan.respond()
}

/// Reads the whole request body (with the real server's limit) before answering,
/// as `POST /client-session` of the real server does.
async fn post_session(State(b): Shared, body: Body) -> Response {
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) if !bytes.is_empty() => b.post_session.respond(),
        Ok(_) => (StatusCode::BAD_REQUEST, "empty body").into_response(),
        Err(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body over the limit").into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

fn router(bodies: Bodies) -> Router {
    Router::new()
        .route("/client-session", post(post_session))
        .route("/client-session/{id}", get(get_session))
        .route("/plans/{id}", get(get_plan))
        .route("/healthz", get(healthz))
        .with_state(Arc::new(bodies))
}

const USAGE: &str = "usage: tally-bench bare --dir <captured-bodies> --listen <addr:port>";

struct BareArgs {
    dir: PathBuf,
    listen: String,
}

fn parse_args() -> Result<BareArgs, String> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("bare") => {}
        Some("-h" | "--help") | None => return Err(USAGE.to_string()),
        Some(other) => return Err(format!("unknown command `{other}`\n{USAGE}")),
    }
    let (mut dir, mut listen) = (None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(value)),
            "--listen" => listen = Some(value),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(BareArgs {
        dir: dir.ok_or_else(|| format!("--dir is required\n{USAGE}"))?,
        listen: listen.ok_or_else(|| format!("--listen is required\n{USAGE}"))?,
    })
}

async fn serve(args: BareArgs) -> Result<(), String> {
    let bodies = Bodies {
        get_session: Canned::load(&args.dir, "get_client_session")?,
        get_plan: Canned::load(&args.dir, "get_plan")?,
        post_session: Canned::load(&args.dir, "post_client_session")?,
    };
    let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| format!("binding {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("tally-bench bare: serving {} on {addr}", args.dir.display());
    axum::serve(listener, router(bodies))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("tally-bench: {msg}");
            ExitCode::FAILURE
        }
    }
}

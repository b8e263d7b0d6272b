//! Black-box API test harness: the real router on a random port with a fresh
//! database per test — a SQLite file in a temp dir, or (when
//! `TALLY_TEST_POSTGRES_URL` is set) a new PostgreSQL database. Time comes from
//! a manual clock the test moves. `both_stores!` runs one body on both stores.

#![allow(dead_code)]

pub mod schema;

use serde_json::Value;
use std::sync::Arc;
use tally_app::{App, Config};
use tally_core::clock::ManualClock;
use tally_store::Db;

pub const KEY: &str = "sk_test_harness_root_key_000000";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub app: App,
    _guard: Guard,
}

enum Guard {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Guard::Postgres { admin_url, name } => {
                // Best effort, on a fresh runtime: the test's runtime is gone.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(async {
                        if let Ok(db) = Db::open_postgres(&admin_url, 1).await
                            && let Db::Postgres(pool) = &db
                        {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(pool)
                                .await;
                        }
                    })
                })
                .join();
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Store {
    Sqlite,
    Postgres,
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TALLY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    let (head, _) = url.rsplit_once('/').expect("a postgres URL has a database path");
    let query = url.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{head}/{name}{query}")
}

pub async fn spawn(store: Store) -> Option<TestApp> {
    spawn_with(store, Config::default()).await
}

pub async fn spawn_with(store: Store, config: Config) -> Option<TestApp> {
    let (db, guard) = match store {
        Store::Sqlite => {
            let dir = std::env::temp_dir().join(format!("tally-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            (Db::open_sqlite(&dir.join("tally.db"), true).await.unwrap(), Guard::Sqlite(dir))
        }
        Store::Postgres => {
            let admin_url = postgres_url()?;
            let name = format!("tally_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::open_postgres(&admin_url, 1).await.expect("TALLY_TEST_POSTGRES_URL is reachable");
            if let Db::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await.unwrap();
            }
            admin.close().await;
            let db = Db::open_postgres(&with_database(&admin_url, &name), 8).await.unwrap();
            (db, Guard::Postgres { admin_url, name })
        }
    };
    db.migrate().await.unwrap();
    let clock = Arc::new(ManualClock::new("2025-05-26T10:00:00Z".parse().unwrap()));
    let app = App::new(db, clock.clone(), config);
    app.bootstrap(Some(KEY)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = tally_http::router(app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Some(TestApp { base, client: reqwest::Client::new(), clock, app, _guard: guard })
}

/// Runs the body once per store; PostgreSQL only when configured.
#[macro_export]
macro_rules! both_stores {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($t: $crate::common::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                Box::pin(run($crate::common::spawn($crate::common::Store::Sqlite).await.unwrap())).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::common::spawn($crate::common::Store::Postgres).await {
                    Some(t) => Box::pin(run(t)).await,
                    None => eprintln!("TALLY_TEST_POSTGRES_URL not set: PostgreSQL variant not run"),
                }
            }
        }
    };
}

/// A response: status, headers and JSON body (Null when the body is not JSON).
pub struct Res {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn param(&self) -> &str {
        self.body["error"]["param"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self.body
    }

    /// Asserts an error answer with this status and code.
    #[track_caller]
    pub fn error(self, status: u16, code: &str) -> Res {
        assert_eq!((self.status, self.code()), (status, code), "body: {}", self.body);
        assert!(!self.message().is_empty(), "an error has a message");
        self
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res { status, headers, body }
    }

    pub async fn get_as(&self, key: &str, path: &str) -> Res {
        self.send(self.client.get(self.url(path)).bearer_auth(key)).await
    }

    pub async fn get(&self, path: &str) -> Res {
        self.get_as(KEY, path).await
    }

    pub async fn get_v2(&self, path: &str) -> Res {
        self.send(self.client.get(self.url(path)).bearer_auth(KEY).header("X-API-Version", "2.0.0")).await
    }

    pub async fn call_as(&self, key: &str, method: reqwest::Method, path: &str, body: &Value) -> Res {
        self.send(self.client.request(method, self.url(path)).bearer_auth(key).json(body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.call_as(KEY, reqwest::Method::POST, path, &body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Res {
        self.call_as(KEY, reqwest::Method::PATCH, path, &body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Res {
        self.call_as(KEY, reqwest::Method::PUT, path, &body).await
    }

    /// Creates a key with these scopes (`{"plans": "read"}`) and returns its secret.
    pub async fn key_with(&self, scopes: Value) -> String {
        let b = self.post("/admin/api-keys", serde_json::json!({"name": "scoped", "scopes": scopes})).await.expect(201);
        b["key"].as_str().unwrap().to_string()
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        self.clock.advance(by);
    }
}

/// The seed's plan: USD 1.00 monthly with a 14-day free trial, EUR price in DE/FR.
pub fn pro_plan(id: &str) -> Value {
    serde_json::json!({
        "id": id, "name": "Pro Plan", "type": "recurring", "interval": "months", "interval_count": 1,
        "price": {"default": {"amount": 100, "currency": "USD"}},
        "trial_interval": "days", "trial_interval_count": 14,
        "trial_price": {"default": {"amount": 0, "currency": "USD"}}
    })
}

pub fn one_off_plan(id: &str, amount: i64) -> Value {
    serde_json::json!({"id": id, "name": "Lifetime", "type": "one-off", "price": {"default": {"amount": amount, "currency": "USD"}}})
}

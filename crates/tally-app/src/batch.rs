//! Group commit for new client sessions: creations that arrive together are
//! written in one multi-row insert — one round trip and one durable commit for
//! the lot — by a single writer task. Each caller still waits for its own row
//! to be committed before it answers, so nothing is acknowledged unwritten.

use crate::{AppError, AppResult};
use std::sync::Arc;
use tally_core::session::ClientSession;
use tally_store::Db;
use tokio::sync::{mpsc, oneshot};

/// Rows per statement (7 parameters each, far below either store's limit).
const MAX_BATCH: usize = 64;

type Row = (String, Arc<ClientSession>);
type Job = (Row, oneshot::Sender<AppResult<()>>);

#[derive(Clone)]
pub struct SessionWriter {
    tx: mpsc::Sender<Job>,
}

impl SessionWriter {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> SessionWriter {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(db, rx));
        SessionWriter { tx }
    }

    /// Inserts `session` of `org`; returns once it is committed.
    pub async fn insert(&self, org: &str, session: Arc<ClientSession>) -> AppResult<()> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(((org.to_string(), session), done))
            .await
            .map_err(|_| AppError::Internal("the session writer stopped".into()))?;
        wait.await.map_err(|_| AppError::Internal("the session writer dropped a request".into()))?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (rows, waiting): (Vec<Row>, Vec<_>) = jobs.drain(..).unzip();
        match write(&db, &rows).await {
            Ok(()) => {
                for done in waiting {
                    let _ = done.send(Ok(()));
                }
            }
            // The batch failed as a whole: try each row alone, so one bad row
            // fails only its own request.
            Err(_) => {
                for (row, done) in rows.iter().zip(waiting) {
                    let _ = done.send(write(&db, std::slice::from_ref(row)).await);
                }
            }
        }
    }
}

async fn write(db: &Db, rows: &[Row]) -> AppResult<()> {
    let mut conn = db.writer().await?;
    tally_store::sessions::insert_many(conn.ex(), rows).await?;
    Ok(())
}

//! SQLite's write-ahead log, checkpointed on a thread and connection of its own.
//!
//! Left to itself, SQLite checkpoints inside the commit that crosses the WAL threshold: that
//! commit (a group of audit appends, see `kiban_app::audit::record`) then waits for the copy
//! and its fsync, and every request in the group waits with it; under load that was the tail
//! of the 資格確認 latency. The request connections defer checkpoints
//! ([`kiban_app::Connection::defer_wal_checkpoints`]) and this thread runs a PASSIVE checkpoint
//! every [`EVERY`], which never blocks readers or the writer. PASSIVE alone never lets the log
//! start over while some reader always holds a snapshot (550 MB after ten minutes of reads, issue
//! 13), so past [`kiban_app::connection::WAL_TRUNCATE_AT`] the same call truncates it, holding the writer
//! back for at most 100 ms. PostgreSQL needs none of this.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use kiban_app::{AppError, Connection};

use crate::state::StoreSource;

/// How often the log is folded back into the database.
pub const EVERY: Duration = Duration::from_millis(250);

type StopFlag = Arc<(Mutex<bool>, Condvar)>;

pub(crate) struct WalCheckpointer {
    stop: StopFlag,
    thread: Option<JoinHandle<()>>,
}

impl WalCheckpointer {
    /// Starts the thread for a SQLite database; `None` for PostgreSQL.
    pub fn start(source: &StoreSource) -> Result<Option<Self>, AppError> {
        let conn = source.open()?;
        if !conn.is_sqlite() {
            return Ok(None);
        }
        let stop: StopFlag = Arc::default();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("kiban-wal-checkpoint".into())
            .spawn(move || run(conn, flag))?;
        Ok(Some(Self {
            stop,
            thread: Some(thread),
        }))
    }
}

fn run(mut conn: Connection, stop: StopFlag) {
    let (lock, wake) = &*stop;
    let mut stopped = lock.lock().unwrap_or_else(PoisonError::into_inner);
    let mut failing = false;
    while !*stopped {
        stopped = wake
            .wait_timeout(stopped, EVERY)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        match conn.checkpoint_wal() {
            // Print a failure once, not four times a second.
            Err(e) if !failing => {
                eprintln!("kiban-http: WAL checkpoint failed (retrying): {e}");
                failing = true;
            }
            Err(_) => {}
            Ok(()) => failing = false,
        }
    }
}

impl Drop for WalCheckpointer {
    fn drop(&mut self) {
        *self.stop.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

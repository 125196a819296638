//! Signed audit checkpoints while serving. A chain cannot show events removed after its last
//! checkpoint, so `kiban serve` signs the head itself: every N seconds (default 2) on a thread of
//! its own, with its own database connection (request handlers never wait for it), and once more
//! after the server has drained at shutdown, so the last requests are covered too. Each
//! checkpoint also goes to the external logs (`kiban_app::audit::external`), which the database
//! cannot take back. A tick where the head has not moved costs two one-row reads.
//!
//! A failure (database unreachable, key problem) is printed to stderr and retried at the next
//! tick with a fresh connection; it never stops the server. Repeats of the same failure are
//! printed once, and the recovery is said.

use kiban_app::audit::{checkpoint, CheckpointLogs};
use kiban_crypto::PlatformKey;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The second place checkpoints are written to, shared by `serve`, `demo` and `audit`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct MirrorArg {
    /// Also append every signed checkpoint to this file (append-only; best on another disk or
    /// host). `kiban audit verify` then checks that `<data-dir>/audit/checkpoints.log` holds
    /// every line of it.
    #[arg(long, env = "KIBAN_CHECKPOINT_MIRROR")]
    pub checkpoint_mirror: Option<PathBuf>,
}

impl MirrorArg {
    pub fn logs(&self, data_dir: &Path) -> CheckpointLogs {
        CheckpointLogs::in_data_dir(data_dir, self.checkpoint_mirror.clone())
    }
}

/// The signing thread; stop it with [`Checkpointer::finish`] (or by dropping it).
pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<Option<u64>>>,
}

impl Checkpointer {
    /// Signs the head of the audit chain in `database` every `every`, with `key`, and appends
    /// each checkpoint to `logs` (created now, empty, if they do not exist).
    pub fn start(
        database: &str,
        key: PlatformKey,
        every: Duration,
        logs: CheckpointLogs,
    ) -> std::io::Result<Self> {
        logs.create()?;
        let (stop, stopped) = mpsc::channel();
        let mut worker = Worker {
            url: database.to_string(),
            key,
            logs,
            conn: None,
            failing: None,
        };
        let thread = std::thread::Builder::new()
            .name("kiban-checkpoints".into())
            .spawn(move || loop {
                match stopped.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => {
                        worker.tick();
                    }
                    // Asked to stop, or the server is gone: one last checkpoint.
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return worker.tick(),
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Signs a last checkpoint and waits for the thread. Returns the event it covers when one
    /// was signed (none when the head was already covered or signing failed).
    pub fn finish(mut self) -> Option<u64> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Option<u64> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.thread.take().and_then(|t| t.join().ok().flatten())
    }
}

impl Drop for Checkpointer {
    /// An early return from `serve` (an error) still stops the thread instead of leaking it.
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

struct Worker {
    url: String,
    key: PlatformKey,
    logs: CheckpointLogs,
    /// Opened on first use and dropped after any failure, so a restarted database server is
    /// reconnected to at the next tick.
    conn: Option<kiban_app::Connection>,
    /// The last failure printed, to print a persisting failure once.
    failing: Option<String>,
}

impl Worker {
    /// One attempt; returns the sequence number of a newly signed checkpoint.
    fn tick(&mut self) -> Option<u64> {
        // A panic in a storage driver must not end checkpointing for the rest of the run.
        let outcome = catch_unwind(AssertUnwindSafe(|| self.sign()))
            .unwrap_or_else(|_| Err("内部エラー（パニック） / internal error (panic)".to_string()));
        match outcome {
            Ok(signed) => {
                if self.failing.take().is_some() {
                    eprintln!(
                        "監査チェックポイントの署名が回復しました / audit checkpoint signing recovered"
                    );
                }
                signed
            }
            Err(message) => {
                self.conn = None;
                // Driver messages do not carry the password, but the URL might appear in one.
                let message = message.replace(&self.url, &super::redact(&self.url));
                if self.failing.as_deref() != Some(message.as_str()) {
                    eprintln!(
                        "監査チェックポイントを署名できませんでした（次回再試行します）: {message} / could not sign an audit checkpoint (retrying at the next tick): {message}"
                    );
                    self.failing = Some(message);
                }
                None
            }
        }
    }

    fn sign(&mut self) -> Result<Option<u64>, String> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            // Not migrated here: the server's own first connection does that at start.
            None => self
                .conn
                .insert(kiban_app::Connection::open(&self.url).map_err(|e| e.to_string())?),
        };
        let signed = checkpoint(conn, &self.key, super::audit::now_ms(), &self.logs)
            .map_err(|e| e.to_string())?;
        Ok(signed.map(|cp| cp.seq))
    }
}

//! Several `kiban serve` processes on one PostgreSQL database, behaving as one service.
//!
//! Most of what a server knows it reads from the database on every request: consents,
//! relationships and, with several servers, staff sessions too (a server that remembered a
//! checked token could not learn of a logout through another server before that token's next
//! request: an announcement races the request, and lost one time in four in the test). What
//! must travel between servers is the notices to offices: an office subscribes at one server
//! and the change is made through another. PostgreSQL carries them ([`NOTICES`],
//! `NOTIFY`/`LISTEN`, [`kiban_store::Store::notify`]): a server that publishes a notice also
//! sends it here, and the other servers hand it to their own subscribers. The payload is the
//! notice as the office receives it (application id, status, time) plus the office it is for
//! and the sending server's random id: no personal data.
//!
//! A [`Listener`] holds one connection per server that does nothing but listen. When it loses
//! the connection it reconnects; notices sent meanwhile are gone, and an office that missed one
//! reads the progress as it always can.
//! SQLite has one server per database file and no notifications: no listener is started there.

use crate::{Connection, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Notices to offices, sent by the server that made the change.
pub const NOTICES: &str = "kiban_notices";

/// How long one wait for notifications lasts before the stop flag is looked at again.
const WAIT: Duration = Duration::from_millis(250);
/// The longest pause between attempts to reconnect a lost listener.
const RETRY_AT_MOST: Duration = Duration::from_secs(2);

/// Sends a notice to the other servers of this database (a no-op on SQLite). `payload` must
/// hold no personal data: it is visible to every connection that listens.
pub fn publish_notice(conn: &mut Connection, payload: &str) -> Result<()> {
    Ok(conn.store().notify(NOTICES, payload)?)
}

/// The listening thread of one server; stopped and joined when dropped.
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    /// Starts listening on a connection from `open`, calling `notice` with the payload of each
    /// notice another server published ([`publish_notice`]), on the listener's own thread.
    /// `None` when the database has no notifications (SQLite). The server listens when this
    /// returns, so nothing published after it is missed.
    pub fn start(
        open: impl Fn() -> Result<Connection> + Send + 'static,
        notice: impl Fn(String) + Send + 'static,
    ) -> Result<Option<Self>> {
        let mut conn = open()?;
        if !conn.store().listen(&[NOTICES])? {
            return Ok(None);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("kiban-listener".into())
            .spawn(move || run(conn, open, notice, flag))?;
        Ok(Some(Self {
            stop,
            thread: Some(thread),
        }))
    }
}

fn run(
    mut conn: Connection,
    open: impl Fn() -> Result<Connection>,
    notice: impl Fn(String),
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        match conn.store().wait_notifications(WAIT) {
            Ok(received) => received
                .into_iter()
                .filter(|n| n.channel == NOTICES)
                .for_each(|n| notice(n.payload)),
            Err(_) => {
                let Some(again) = reconnect(&open, &stop) else {
                    return;
                };
                conn = again;
            }
        }
    }
}

/// A new listening connection, retrying with a growing pause; `None` once stopped.
fn reconnect(open: &impl Fn() -> Result<Connection>, stop: &AtomicBool) -> Option<Connection> {
    let mut pause = WAIT;
    while !stop.load(Ordering::Relaxed) {
        if let Ok(mut conn) = open() {
            if matches!(conn.store().listen(&[NOTICES]), Ok(true)) {
                return Some(conn);
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(RETRY_AT_MOST);
    }
    None
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

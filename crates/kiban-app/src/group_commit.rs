//! Group commit of audit appends.
//!
//! Every access appends to one hash chain, so appends are serial by nature. Committing each
//! one in its own transaction made the commit the cost of a read: on SQLite every commit writes
//! whole pages of the table and its indexes to the WAL (kilobytes for a 200-byte event), and the
//! WAL outgrew what the checkpointer could fold back while readers were busy.
//!
//! Here concurrent appenders to the same database queue their entries; whoever finds no append
//! in progress becomes the leader, takes every queued entry, appends them in one transaction
//! with its own connection and hands each appender its sealed events. An appender still returns
//! only after its events are committed, so "audited before anything is returned" holds. Under
//! no concurrency a batch is one entry and this is a plain append.
//!
//! Queues are per database ([`Store::database_identity`]): tests and tools may hold stores of
//! several databases in one process, and an event must land in the chain of its own.

use crate::{AppError, Result};
use kiban_domain::audit::{AuditEntry, AuditEvent};
use kiban_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    pending: Vec<(u64, Vec<AuditEntry>)>,
    leading: bool,
    done: HashMap<u64, std::result::Result<Vec<AuditEvent>, Failed>>,
}

/// Why a batch failed, handed to each of its appenders.
#[derive(Clone)]
struct Failed {
    message: String,
    disk_full: bool,
    temporary: bool,
}

#[derive(Default)]
struct Group {
    queue: Mutex<Queue>,
    finished: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn group_of(store: &dyn Store) -> Arc<Group> {
    static GROUPS: OnceLock<Mutex<HashMap<String, Arc<Group>>>> = OnceLock::new();
    let groups = GROUPS.get_or_init(Default::default);
    Arc::clone(
        lock(groups)
            .entry(store.database_identity().to_string())
            .or_default(),
    )
}

/// Appends `entries` as one contiguous run of the chain, committed before this returns.
pub(crate) fn append(store: &mut dyn Store, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
    let group = group_of(store);
    let mut queue = lock(&group.queue);
    let ticket = queue.next_ticket;
    queue.next_ticket += 1;
    queue.pending.push((ticket, entries));
    loop {
        if let Some(result) = queue.done.remove(&ticket) {
            return result.map_err(|f| AppError::AuditAppend {
                message: f.message,
                disk_full: f.disk_full,
                temporary: f.temporary,
            });
        }
        if queue.leading {
            queue = group
                .finished
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        queue.leading = true;
        let batch = std::mem::take(&mut queue.pending);
        drop(queue);
        let mut lead = Leadership {
            group: &group,
            tickets: batch.iter().map(|(t, _)| *t).collect(),
            outcome: None,
        };
        lead.outcome = Some(commit(store, batch).map_err(|e| Failed {
            message: e.to_string(),
            disk_full: e.is_disk_full(),
            temporary: e.is_temporary(),
        }));
        drop(lead);
        queue = lock(&group.queue);
    }
}

type Runs = Vec<(u64, Vec<AuditEvent>)>;

fn commit(store: &mut dyn Store, batch: Vec<(u64, Vec<AuditEntry>)>) -> Result<Runs> {
    let sizes: Vec<(u64, usize)> = batch.iter().map(|(t, e)| (*t, e.len())).collect();
    let all: Vec<AuditEntry> = batch.into_iter().flat_map(|(_, e)| e).collect();
    let mut sealed = crate::in_transaction(store, |s| Ok(s.append_audit(all)?))?.into_iter();
    Ok(sizes
        .into_iter()
        .map(|(t, n)| (t, sealed.by_ref().take(n).collect()))
        .collect())
}

/// The leader's duty, done even if the append panics: publish every ticket's outcome, step
/// down and wake the waiters (one of whom leads the next batch).
struct Leadership<'a> {
    group: &'a Group,
    tickets: Vec<u64>,
    outcome: Option<std::result::Result<Runs, Failed>>,
}

impl Drop for Leadership<'_> {
    fn drop(&mut self) {
        let mut queue = lock(&self.group.queue);
        match self.outcome.take() {
            Some(Ok(runs)) => queue.done.extend(runs.into_iter().map(|(t, e)| (t, Ok(e)))),
            failed => {
                let failure = match failed {
                    Some(Err(f)) => f,
                    _ => Failed {
                        message: "the appending thread panicked".to_string(),
                        disk_full: false,
                        temporary: false,
                    },
                };
                for t in &self.tickets {
                    queue.done.insert(*t, Err(failure.clone()));
                }
            }
        }
        queue.leading = false;
        drop(queue);
        self.group.finished.notify_all();
    }
}

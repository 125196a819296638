//! Client-certificate revocations reach a running server within seconds, from two places.
//!
//! - **The CRL file** of the data directory (`keys/ca/crl.pem`, rewritten by `kiban ca
//!   revoke`): read every [`POLL`], and accepted only if the CA signed it. A file that does not
//!   verify (half copied, signed by another CA, garbage) is reported once on stderr and the
//!   list in force stays as it was: a bad file must never *un*-revoke anything.
//! - **The database** (`client_revocations`, written by `kiban ca revoke --database …`): the rows
//!   after the last id read, every [`POLL`]. Several servers sharing one PostgreSQL database,
//!   each with its own data directory, all learn of a revocation this way.
//!
//! The list in force is the union of both. Requests check it on every request of a connection
//! (`tls::ClientCert::recheck`), so the revoked certificate's next request is refused. For each
//! newly revoked serial the watcher also ends, in the store, the sessions issued over that
//! certificate; until it has, the staff-token check refuses them anyway by comparing the
//! session's certificate serial with the list ([`crate::extract::StaffCaller::identity`]).
//!
//! A polling thread rather than file-system notifications: it works the same on every file
//! system (network mounts and editors that replace files included) and also covers the
//! database, for one small read and one indexed query per second.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use kiban_app::{AppError, Connection};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{RevocationList, RevocationReason, Serial, TrustAnchor};

use crate::state::StoreSource;

/// How often the CRL file and the database are looked at.
pub const POLL: Duration = Duration::from_secs(1);

/// The list in force, shared with the requests.
pub(crate) type SharedList = Arc<RwLock<RevocationList>>;

/// What the watcher has read so far.
pub(crate) struct Sources {
    crl_path: Option<PathBuf>,
    anchor: TrustAnchor,
    /// The file's bytes last looked at (accepted or not), so an unchanged file is not
    /// verified again and a bad one is reported once.
    crl_seen: Option<Vec<u8>>,
    from_file: RevocationList,
    from_database: RevocationList,
    last_id: i64,
    conn: Option<Connection>,
    source: StoreSource,
    database_failing: bool,
}

impl Sources {
    pub fn new(
        crl_path: Option<PathBuf>,
        anchor: TrustAnchor,
        initial: RevocationList,
        source: StoreSource,
    ) -> Self {
        Self {
            crl_path,
            anchor,
            crl_seen: None,
            from_file: initial,
            from_database: RevocationList::new(),
            last_id: 0,
            conn: None,
            source,
            database_failing: false,
        }
    }

    /// Reads both sources once and puts their union in force; ends the sessions of every serial
    /// that is new to the list.
    pub fn poll(&mut self, list: &SharedList) {
        let file_changed = self.read_file();
        let database_changed = self.read_database();
        if !file_changed && !database_changed {
            return;
        }
        let mut union = self.from_file.clone();
        union.merge(&self.from_database);
        let newly: Vec<Serial> = {
            let mut in_force = list.write().unwrap_or_else(PoisonError::into_inner);
            let newly = union
                .iter()
                .filter(|(serial, _)| in_force.get(serial).is_none())
                .map(|(serial, _)| serial.clone())
                .collect();
            *in_force = union;
            newly
        };
        for serial in newly {
            self.end_sessions(&serial);
        }
    }

    fn read_file(&mut self) -> bool {
        let Some(path) = &self.crl_path else {
            return false;
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            // No file yet (nothing revoked), or gone: keep what is in force.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
            Err(e) => {
                if self.crl_seen.take().is_some() {
                    eprintln!(
                        "kiban-http: 失効リスト {} を読めません（前のリストを使い続けます）/ cannot read the CRL {} (keeping the list in force): {e}",
                        path.display(),
                        path.display()
                    );
                }
                return false;
            }
        };
        if self.crl_seen.as_deref() == Some(bytes.as_slice()) {
            return false;
        }
        let first = self.crl_seen.is_none();
        self.crl_seen = Some(bytes.clone());
        let parsed = String::from_utf8(bytes)
            .map_err(|_| "not UTF-8 PEM".to_string())
            .and_then(|pem| {
                RevocationList::from_crl_pem(&pem, &self.anchor).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(list) => {
                let changed = list != self.from_file;
                if changed && !first {
                    eprintln!(
                        "kiban-http: 失効リストを読み直しました（{} 件）/ reloaded the CRL {} ({} entries)",
                        list.len(),
                        path.display(),
                        list.len()
                    );
                }
                self.from_file = list;
                changed
            }
            Err(why) => {
                eprintln!(
                    "kiban-http: エラー: 失効リスト {} を受け付けません。前のリストを使い続けます / error: refusing the CRL {} and keeping the list in force: {why}",
                    path.display(),
                    path.display()
                );
                false
            }
        }
    }

    fn read_database(&mut self) -> bool {
        let after = self.last_id;
        let rows = match self
            .conn_mut()
            .and_then(|conn| kiban_app::auth::client_revocations_after(conn, after))
        {
            Ok(rows) => {
                self.database_failing = false;
                rows
            }
            Err(e) => {
                if !self.database_failing {
                    eprintln!(
                        "kiban-http: 失効の記録をデータベースから読めません（再試行します）/ cannot read client revocations from the database (retrying): {e}"
                    );
                    self.database_failing = true;
                }
                // Reconnect on the next poll.
                self.conn = None;
                return false;
            }
        };
        let mut changed = false;
        for row in rows {
            self.last_id = self.last_id.max(row.id);
            let Some(serial) = Serial::from_hex(&row.serial) else {
                eprintln!(
                    "kiban-http: client_revocations の id {} のシリアルが不正です / row {} of client_revocations has an invalid serial",
                    row.id, row.id
                );
                continue;
            };
            let reason = u8::try_from(row.reason_code)
                .map(RevocationReason::from_code)
                .unwrap_or(RevocationReason::Unspecified);
            let at = OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(row.revoked_at_ms) * 1_000_000,
            )
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            changed |= self.from_database.revoke(serial, reason, at);
        }
        changed
    }

    fn conn_mut(&mut self) -> Result<&mut Connection, AppError> {
        if self.conn.is_none() {
            self.conn = Some(self.source.open()?);
        }
        Ok(self.conn.as_mut().expect("opened above"))
    }

    fn end_sessions(&mut self, serial: &Serial) {
        let ended = self
            .conn_mut()
            .and_then(|conn| kiban_app::auth::end_sessions_of_client(conn, serial));
        match ended {
            // Quiet when there was nothing to end: a server starting up sees every revocation
            // recorded so far as new.
            Ok(0) => {}
            Ok(n) => eprintln!(
                "kiban-http: クライアント証明書 {serial} の失効を反映し、そのセッション {n} 件を終了しました / applied the revocation of client certificate {serial}; ended {n} sessions issued over it"
            ),
            Err(e) => {
                // The token check still refuses them (their serial is in the list).
                eprintln!(
                    "kiban-http: 証明書 {serial} のセッションを終了できません / cannot end the sessions of certificate {serial}: {e}"
                );
                self.conn = None;
            }
        }
    }
}

type StopFlag = Arc<(Mutex<bool>, Condvar)>;

/// The polling thread; stopped and joined when dropped (with the server's state).
pub(crate) struct RevocationWatcher {
    stop: StopFlag,
    thread: Option<JoinHandle<()>>,
}

impl RevocationWatcher {
    pub fn start(mut sources: Sources, list: SharedList, every: Duration) -> std::io::Result<Self> {
        let stop: StopFlag = Arc::default();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("kiban-revocations".into())
            .spawn(move || {
                let (lock, wake) = &*flag;
                let mut stopped = lock.lock().unwrap_or_else(PoisonError::into_inner);
                while !*stopped {
                    stopped = wake
                        .wait_timeout(stopped, every)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    if !*stopped {
                        sources.poll(&list);
                    }
                }
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for RevocationWatcher {
    fn drop(&mut self) {
        *self.stop.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiban_crypto::{CertificateAuthority, ClientSubject, Validity};

    fn serial(ca: &CertificateAuthority) -> Serial {
        let subject = ClientSubject::Office {
            office_number: kiban_domain::ids::OfficeNumber::parse("1370000001").unwrap(),
        };
        ca.issue_client(&subject, Validity::days_from(OffsetDateTime::now_utc(), 1))
            .unwrap()
            .serial
    }

    #[test]
    fn the_list_in_force_is_the_union_of_the_file_and_the_database_and_bad_files_change_nothing() {
        let now = OffsetDateTime::now_utc();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("kiban.db").display());
        // The test's own raw connection, playing `kiban ca revoke --database`.
        let mut conn = kiban_testkit::store::open(&url).unwrap();
        conn.migrate().unwrap();
        let ca = CertificateAuthority::init("test CA", now).unwrap();
        let path = dir.path().join("crl.pem");
        let (a, b, c) = (serial(&ca), serial(&ca), serial(&ca));
        let list: SharedList = Arc::default();
        let mut sources = Sources::new(
            Some(path.clone()),
            ca.anchor().clone(),
            RevocationList::new(),
            StoreSource::Url(url),
        );
        sources.poll(&list);
        assert!(list.read().unwrap().is_empty(), "no file, no rows");

        let signed = |serials: &[&Serial]| {
            let mut l = RevocationList::new();
            for s in serials {
                l.revoke((*s).clone(), RevocationReason::KeyCompromise, now);
            }
            ca.sign_crl(&l, now).unwrap().pem
        };
        std::fs::write(&path, signed(&[&a])).unwrap();
        sources.poll(&list);
        assert!(list.read().unwrap().get(&a).is_some());

        for bad in [
            b"garbage".to_vec(),
            signed(&[]).as_bytes()[..40].to_vec(),
            CertificateAuthority::init("foreign", now)
                .unwrap()
                .sign_crl(&RevocationList::new(), now)
                .unwrap()
                .pem
                .into_bytes(),
        ] {
            std::fs::write(&path, bad).unwrap();
            sources.poll(&list);
            assert!(list.read().unwrap().get(&a).is_some(), "kept");
        }

        conn.record_client_revocation(&b.to_string(), 4, 1_000)
            .unwrap();
        sources.poll(&list);
        assert_eq!(list.read().unwrap().len(), 2);
        assert_eq!(
            list.read().unwrap().get(&b).unwrap().reason,
            RevocationReason::Superseded
        );

        // A new good file replaces the file's part; the database's part stays.
        std::fs::write(&path, signed(&[&c])).unwrap();
        sources.poll(&list);
        let in_force = list.read().unwrap().clone();
        assert!(
            in_force.get(&a).is_none() && in_force.get(&b).is_some() && in_force.get(&c).is_some()
        );
    }
}

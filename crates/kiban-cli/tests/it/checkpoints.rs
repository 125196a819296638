//! `kiban serve` signs audit checkpoints by itself: every `--checkpoint-every-seconds` (default
//! 2), and once more at a graceful shutdown, into the database and the external checkpoint logs;
//! `kiban audit verify` then trusts them and holds the database to the external logs.

use kiban_app::audit::{record, SignatureCheck, Signer};
use kiban_app::keys::Ed25519;
use kiban_domain::audit::{AuditEntry, Checkpoint, Decision};
use kiban_testkit::TestDb;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `kiban serve`; killed if the test fails before stopping it.
struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Serve {
    fn start(url: &str, data: &Path, every: &str) -> Self {
        Self::start_with(url, data, &["--checkpoint-every-seconds", every])
    }

    fn start_with(url: &str, data: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(args)
            .env("KIBAN_DATABASE_URL", url)
            .env_remove("KIBAN_CHECKPOINT_MIRROR")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Read stdout to the end on a thread: a closed pipe would fail the server's last line.
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let server = Self { child, lines };
        server.wait_for("listening on https://");
        server
    }

    fn wait_for(&self, text: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("kiban serve never printed {text:?}"));
            if line.contains(text) {
                return line;
            }
        }
    }

    /// Ctrl-C, as an operator stops the server; returns what it printed afterwards.
    fn interrupt(self) -> String {
        self.signal("-INT")
    }

    /// SIGTERM, as a service manager or a container runtime stops the server.
    fn terminate(self) -> String {
        self.signal("-TERM")
    }

    fn signal(mut self, signal: &str) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "kiban serve exited with {status}");
        // The reader thread ends at the pipe's end, after the last line.
        let mut said = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            said.push(line);
        }
        said.join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Appends `n` events, as request handlers would; returns the new head.
fn append(db: &mut TestDb, n: usize) -> (u64, [u8; 32]) {
    let entry = AuditEntry {
        at_ms: 1_793_581_200_000,
        actor_kind: "citizen".into(),
        actor_id: "citizen".into(),
        office: String::new(),
        job: String::new(),
        insurer: "131011".into(),
        insured: "0000100001".into(),
        category: "qualification".into(),
        action: "read".into(),
        purpose: "self".into(),
        decision: Decision::Allow,
        reason: "SELF".into(),
    };
    record(db.conn(), vec![entry; n]).unwrap();
    db.store().audit_head().unwrap()
}

/// Waits until a checkpoint covers `head`, then checks it is the platform key's signature
/// over exactly that head.
fn covered(db: &mut TestDb, data: &Path, head: (u64, [u8; 32])) -> Checkpoint {
    let deadline = Instant::now() + Duration::from_secs(30);
    let cp = loop {
        let last = db.store().checkpoints().unwrap().last().cloned();
        match last {
            Some(cp) if cp.seq >= head.0 => break cp,
            _ if Instant::now() > deadline => panic!("no checkpoint covers event {}", head.0),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert_eq!((cp.seq, cp.hash), head, "the checkpoint is of the head");
    let key = kiban_crypto::PlatformKey::load(&data.join("keys/platform.pem")).unwrap();
    assert_eq!(
        cp.public_key,
        key.public_key(),
        "signed by the platform key"
    );
    let message = Checkpoint::signed_bytes(cp.seq, &cp.hash, cp.at_ms);
    assert!(Ed25519.verify(&cp.public_key, &message, &cp.signature));
    cp
}

/// `kiban audit verify` with these extra arguments: (exit code, stdout, stderr).
fn audit_verify(url: &str, data: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiban"))
        .args(["audit", "verify", "--data-dir"])
        .arg(data)
        .args(args)
        .env("KIBAN_DATABASE_URL", url)
        .env_remove("KIBAN_CHECKPOINT_MIRROR")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn audit_verify_passes(url: &str, data: &Path) {
    let (code, stdout, stderr) = audit_verify(url, data, &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("audit log intact"), "{stdout}");
}

/// The sequence numbers in an external checkpoint log, in file order.
fn external_seqs(path: &Path) -> Vec<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect()
}

fn signs_every_interval_while_serving(mut db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let server = Serve::start(&db.url, data.path(), "1");
    let head = append(&mut db, 3);
    let first = covered(&mut db, data.path(), head);
    let head = append(&mut db, 2);
    let second = covered(&mut db, data.path(), head);
    assert!(second.at_ms >= first.at_ms);
    server.interrupt();
    audit_verify_passes(&db.url, data.path());
}

#[test]
fn serve_signs_checkpoints_every_interval_on_sqlite() {
    signs_every_interval_while_serving(TestDb::sqlite());
}

#[test]
fn serve_signs_checkpoints_every_interval_on_postgres() {
    signs_every_interval_while_serving(TestDb::postgres());
}

#[test]
fn serve_signs_a_last_checkpoint_at_shutdown_and_zero_disables_signing() {
    let mut db = TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let server = Serve::start(&db.url, data.path(), "3600");
    let head = append(&mut db, 4);
    assert!(db.store().checkpoints().unwrap().is_empty(), "not yet due");
    let said = server.interrupt();
    assert!(
        said.contains(&format!("final checkpoint signed at event {}", head.0)),
        "{said}"
    );
    covered(&mut db, data.path(), head);
    audit_verify_passes(&db.url, data.path());

    let mut db = TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let server = Serve::start(&db.url, data.path(), "0");
    append(&mut db, 1);
    server.interrupt();
    assert!(db.store().checkpoints().unwrap().is_empty());
    assert!(
        !data.path().join("keys/platform.pem").exists(),
        "no key needed"
    );
}

/// SIGTERM (how systemd, a container runtime or a cluster manager stops a server): the server
/// stops accepting, drains, signs its last checkpoint and exits 0, on the production engine.
#[test]
fn sigterm_ends_serve_with_a_last_checkpoint_and_exit_0() {
    let mut db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    let server = Serve::start(&db.url, data.path(), "3600");
    let head = append(&mut db, 3);
    assert!(db.store().checkpoints().unwrap().is_empty(), "not yet due");
    let said = server.terminate();
    assert!(
        said.contains(&format!("final checkpoint signed at event {}", head.0)),
        "{said}"
    );
    covered(&mut db, data.path(), head);
    audit_verify_passes(&db.url, data.path());
}

/// Issue 13, finding 2: the newest events deleted together with the database checkpoints that
/// covered them. The external log (and its mirror) still vouch for them.
fn deleting_the_newest_events_fails_verify(mut db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let mirror = data.path().join("elsewhere/mirror.log");
    let mirror_arg = mirror.to_str().unwrap();
    let server = Serve::start_with(
        &db.url,
        data.path(),
        &[
            "--checkpoint-every-seconds",
            "1",
            "--checkpoint-mirror",
            mirror_arg,
        ],
    );
    let log = data.path().join("audit/checkpoints.log");
    assert!(log.exists() && mirror.exists(), "created at start");
    let head = append(&mut db, 10);
    covered(&mut db, data.path(), head);
    let head = append(&mut db, 5);
    covered(&mut db, data.path(), head);
    server.interrupt();
    assert_eq!(external_seqs(&log), vec![10, 15]);
    assert_eq!(
        std::fs::read(&log).unwrap(),
        std::fs::read(&mirror).unwrap()
    );
    let (code, stdout, _) =
        audit_verify(&db.url, data.path(), &["--checkpoint-mirror", mirror_arg]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("2 in the external log"), "{stdout}");

    // The last event and its checkpoint.
    db.sql("DELETE FROM audit_events WHERE seq = 15; DELETE FROM audit_checkpoints WHERE seq = 15");
    let (code, stdout, _) = audit_verify(&db.url, data.path(), &[]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(
        stdout.contains("ends at event 14") && stdout.contains("first bad event: 15"),
        "{stdout}"
    );
    // Everything after the checkpoint before (10): the newest checkpoint and events 11..=15.
    db.sql("DELETE FROM audit_events WHERE seq > 10");
    let (code, stdout, _) = audit_verify(&db.url, data.path(), &[]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(stdout.contains("first bad event: 11"), "{stdout}");

    // The attacker also cuts the external log: the mirror still has the line.
    let lines = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, lines.lines().next().unwrap().to_string() + "\n").unwrap();
    let (code, stdout, _) =
        audit_verify(&db.url, data.path(), &["--checkpoint-mirror", mirror_arg]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(
        stdout.contains("mirror") && stdout.contains("event 15"),
        "{stdout}"
    );
}

#[test]
fn deleting_the_newest_events_fails_verify_on_sqlite() {
    deleting_the_newest_events_fails_verify(TestDb::sqlite());
}

#[test]
fn deleting_the_newest_events_fails_verify_on_postgres() {
    deleting_the_newest_events_fails_verify(TestDb::postgres());
}

#[test]
fn a_tampered_or_missing_external_log_and_require_external() {
    let mut db = TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let server = Serve::start(&db.url, data.path(), "1");
    let head = append(&mut db, 3);
    covered(&mut db, data.path(), head);
    server.interrupt();
    let log = data.path().join("audit/checkpoints.log");
    let original = std::fs::read_to_string(&log).unwrap();
    // One hex digit of the head hash changed: the line's signature fails.
    let tampered = {
        let mut fields: Vec<String> = original.trim_end().split(' ').map(str::to_string).collect();
        let flipped = if fields[2].starts_with('0') { "1" } else { "0" };
        fields[2].replace_range(0..1, flipped);
        fields.join(" ") + "\n"
    };
    std::fs::write(&log, tampered).unwrap();
    let (code, stdout, _) = audit_verify(&db.url, data.path(), &[]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(
        stdout.contains("line 1") && stdout.contains("invalid signature"),
        "{stdout}"
    );
    // Deleted while its directory remains: a fault, not a fresh install.
    std::fs::remove_file(&log).unwrap();
    let (code, stdout, _) = audit_verify(&db.url, data.path(), &[]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(stdout.contains("it was deleted"), "{stdout}");
    // A data directory that never had a log: a warning, or a fault with --require-external.
    std::fs::remove_dir(data.path().join("audit")).unwrap();
    let (code, stdout, stderr) = audit_verify(&db.url, data.path(), &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stderr.contains("no external checkpoint log"), "{stderr}");
    let (code, stdout, _) = audit_verify(&db.url, data.path(), &["--require-external"]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(stdout.contains("--require-external"), "{stdout}");
}

/// `kill -9` of `kiban serve` while events are appended (as its requests would): no final
/// checkpoint, yet verify passes, and the external log, signed every 2 s by default, covers all
/// but the last few seconds.
fn killed_serve_leaves_only_a_short_unprotected_tail(mut db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let mut server = Serve::start_with(&db.url, data.path(), &[]);
    let log = data.path().join("audit/checkpoints.log");
    let started = Instant::now();
    // When the head first passed each value.
    let mut passed: Vec<(u64, Instant)> = Vec::new();
    while started.elapsed() < Duration::from_secs(8) {
        let (seq, _) = append(&mut db, 5);
        passed.push((seq, Instant::now()));
        std::thread::sleep(Duration::from_millis(20));
    }
    server.child.kill().unwrap();
    let killed = Instant::now();
    server.child.wait().unwrap();
    let seqs = external_seqs(&log);
    assert!(seqs.len() >= 3, "signed every 2 s while serving: {seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let newest = *seqs.last().unwrap();
    let head = db.store().audit_head().unwrap().0;
    assert!(newest <= head);
    // The oldest event the external log does not cover, and how long before the kill it came.
    let unprotected = passed
        .iter()
        .find(|(seq, _)| *seq > newest)
        .map_or(Duration::ZERO, |(_, at)| killed - *at);
    eprintln!(
        "kill -9 after {} events: external log up to event {newest}; unprotected tail {} events, {:.1} s",
        head,
        head - newest,
        unprotected.as_secs_f64()
    );
    // Two-second signing; generous for a loaded test machine.
    assert!(unprotected < Duration::from_secs(6), "{unprotected:?}");
    audit_verify_passes(&db.url, data.path());
}

#[test]
fn killed_serve_leaves_only_a_short_unprotected_tail_on_sqlite() {
    killed_serve_leaves_only_a_short_unprotected_tail(TestDb::sqlite());
}

#[test]
fn killed_serve_leaves_only_a_short_unprotected_tail_on_postgres() {
    killed_serve_leaves_only_a_short_unprotected_tail(TestDb::postgres());
}

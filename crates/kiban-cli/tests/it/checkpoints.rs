//! `kiban serve` signs audit checkpoints by itself: every `--checkpoint-every-seconds`, and once
//! more at a graceful shutdown; `kiban audit verify` then trusts them.

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
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(["--checkpoint-every-seconds", every])
            .env("KIBAN_DATABASE_URL", url)
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
    fn interrupt(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
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
    record(db.store(), vec![entry; n]).unwrap();
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

fn audit_verify_passes(url: &str, data: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiban"))
        .args(["audit", "verify", "--data-dir"])
        .arg(data)
        .env("KIBAN_DATABASE_URL", url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("audit log intact"), "{stdout}");
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

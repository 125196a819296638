//! The SQLite write-ahead log under steady 資格確認 reads (issue 13, finding 12).
//!
//! Builds a demo database (`kiban demo --no-serve`), starts `kiban serve` on it, logs the demo
//! care manager cm01 in with the office's client certificate and TOTP, and then
//! `KIBAN_SOAK_CLIENTS` (default 8) threads read `/api/v1/persons/131011/0000100002/qualification`
//! back to back for `KIBAN_SOAK_SECONDS` (default 120 s). Every read appends an audit event.
//! Once a second the size of `kiban.db-wal` is sampled. Prints requests/s, errors, and the WAL
//! size at its largest and at the end, and the database size.
//!
//! `cargo bench -p kiban-cli --bench soak_wal` (not part of `scripts/bench`: it is a soak).
//! `KIBAN_SOAK_PERSONS` sets the demo's size (default 20,000, the demo's own default).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PERSON: &str = "0000100002";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn kiban(url: &str, data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiban"));
    command
        .env("KIBAN_DATABASE_URL", url)
        .arg("--data-dir")
        .arg(data);
    command
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn main() {
    let seconds = env("KIBAN_SOAK_SECONDS", 120);
    let clients = env("KIBAN_SOAK_CLIENTS", 8);
    let persons = env("KIBAN_SOAK_PERSONS", 20_000);
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let db = work.path().join("kiban.db");
    let wal = work.path().join("kiban.db-wal");
    let url = format!("sqlite://{}", db.display());

    let demo = kiban(&url, &data)
        .args([
            "demo",
            "--no-serve",
            "--persons",
            &persons.to_string(),
            "--dir",
        ])
        .arg(data.join("demo"))
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let logins = std::fs::read_to_string(data.join("demo/logins.txt")).unwrap();
    let secret = logins
        .lines()
        .find(|l| l.contains("ID cm01,"))
        .and_then(|l| l.split("TOTP secret ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .expect("cm01's TOTP secret in logins.txt")
        .to_string();

    let mut child = kiban(&url, &data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Server(child);
    let port = loop {
        let line = lines
            .next()
            .expect("kiban serve printed its address")
            .unwrap();
        if let Some(rest) = line.split("listening on https://").nth(1) {
            break rest
                .trim_end_matches("/api/v1")
                .rsplit(':')
                .next()
                .unwrap()
                .to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});

    let ca = std::fs::read(data.join("keys/ca/ca.pem")).unwrap();
    let mut identity = std::fs::read(data.join("certs/1370000001.pem")).unwrap();
    identity.extend(std::fs::read(data.join("certs/1370000001-key.pem")).unwrap());
    let client = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .identity(reqwest::Identity::from_pem(&identity).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}/api/v1");
    let secret = kiban_crypto::TotpSecret::from_base32(&secret).unwrap();
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let login = client
        .post(format!("{base}/staff/login"))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"staff_id":"cm01","password":"kiban-demo-2026","totp":"{}"}}"#,
            kiban_crypto::totp::generate(&secret, unix)
        ))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let token = login
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("login failed: {login}"))
        .to_string();
    let read = format!("{base}/persons/131011/{PERSON}/qualification");
    let first = client
        .get(&read)
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        first.contains("\"ok\":true"),
        "the read is allowed: {first}"
    );

    println!(
        "demo of {persons} persons: database {:.1} MiB, WAL {:.1} MiB before the run",
        mib(size(&db)),
        mib(size(&wal))
    );
    let (ok, errors, stop) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let started = Instant::now();
    let senders: Vec<_> = (0..clients)
        .map(|_| {
            let (client, read, token) = (client.clone(), read.clone(), token.clone());
            let (ok, errors, stop) = (ok.clone(), errors.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let answered = client
                        .get(&read)
                        .bearer_auth(&token)
                        .send()
                        .ok()
                        .filter(|r| r.status() == 200)
                        .and_then(|r| r.text().ok())
                        .is_some_and(|b| b.contains("\"ok\":true"));
                    let counter = if answered { &ok } else { &errors };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let mut max_wal = 0;
    let mut samples = Vec::new();
    for second in 1..=seconds {
        std::thread::sleep(
            (started + Duration::from_secs(second)).saturating_duration_since(Instant::now()),
        );
        let now = size(&wal);
        max_wal = max_wal.max(now);
        samples.push(now);
        if second % 10 == 0 {
            println!(
                "{second:>4} s: {} requests, WAL {:.1} MiB (max {:.1} MiB), database {:.1} MiB",
                ok.load(Ordering::Relaxed),
                mib(now),
                mib(max_wal),
                mib(size(&db))
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (ok, errors) = (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    samples.sort_unstable();
    println!(
        "{clients} clients, {elapsed:.0} s: {ok} reads ({:.0} req/s), {errors} errors; WAL max {:.1} MiB, median {:.1} MiB, at the end {:.1} MiB; database {:.1} MiB",
        ok as f64 / elapsed,
        mib(max_wal),
        mib(samples[samples.len() / 2]),
        mib(size(&wal)),
        mib(size(&db))
    );
    drop(server);
    let verify = kiban(&url, &data)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    println!(
        "kiban audit verify: {}",
        String::from_utf8_lossy(&verify.stdout).trim()
    );
}

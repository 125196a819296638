//! Failover without loss: a PostgreSQL primary with a synchronous standby (two clusters of
//! their own, made with Debian's `pg_createcluster` and `pg_basebackup` and dropped after), one
//! `kiban serve` on a URL naming both hosts with `target_session_attrs=read-write`, a bounded
//! load of 資格確認 reads and consent writes; the primary is stopped (immediate: as a crash) and
//! the standby promoted. kiban goes on against the new primary without a restart; every
//! consent acknowledged before the switch is there, every answered read has its audit event,
//! and `kiban audit verify` passes on the new primary. Seconds without service and the errors
//! clients saw are printed.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::crash::serve::{insured, Api, OFFICE_CERT};
use crate::running::{demo, free_port, Server};

const VERSION_DIR: &str = "/etc/postgresql";

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A primary and its synchronous standby, dropped when this is.
struct Pair {
    version: String,
    primary: String,
    standby: String,
    primary_port: u16,
    standby_port: u16,
}

impl Pair {
    fn create() -> Self {
        let version = std::fs::read_dir(VERSION_DIR)
            .expect("PostgreSQL is installed (scripts/ensure-postgres)")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .max()
            .unwrap();
        let tag = std::process::id();
        let pair = Self {
            primary: format!("kiban_primary_{tag}"),
            standby: format!("kiban_standby_{tag}"),
            primary_port: free_port(),
            standby_port: free_port(),
            version,
        };
        let v = pair.version.as_str();
        let conf = |cluster: &str| format!("{VERSION_DIR}/{v}/{cluster}/postgresql.conf");
        let (p_port, s_port) = (pair.primary_port.to_string(), pair.standby_port.to_string());
        run(
            "pg_createcluster",
            &[v, &pair.primary, "-p", &p_port, "--", "--auth=trust"],
        );
        append(
            &conf(&pair.primary),
            &format!(
                "listen_addresses = '127.0.0.1'\nsynchronous_standby_names = '{}'\n",
                pair.standby
            ),
        );
        run("pg_ctlcluster", &[v, &pair.primary, "start"]);
        run(
            "pg_createcluster",
            &[v, &pair.standby, "-p", &s_port, "--", "--auth=trust"],
        );
        append(&conf(&pair.standby), "listen_addresses = '127.0.0.1'\n");
        let data = format!("/var/lib/postgresql/{v}/{}", pair.standby);
        std::fs::remove_dir_all(&data).unwrap();
        run(
            "install",
            &["-d", "-o", "postgres", "-g", "postgres", "-m", "700", &data],
        );
        run(
            "su",
            &[
                "postgres",
                "-c",
                &format!(
                    "pg_basebackup -h 127.0.0.1 -p {p_port} -U postgres -D {data} -R -X stream -d 'application_name={}'",
                    pair.standby
                ),
            ],
        );
        run("pg_ctlcluster", &[v, &pair.standby, "start"]);
        pair
    }

    fn url(&self, ports: &[u16]) -> String {
        let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        format!(
            "postgres://postgres@{}/postgres?target_session_attrs=read-write",
            hosts.join(",")
        )
    }

    fn scalar(&self, port: u16, sql: &str) -> i64 {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-Atc",
                sql,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{sql}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

fn append(path: &str, text: &str) {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

impl Drop for Pair {
    fn drop(&mut self) {
        for cluster in [&self.standby, &self.primary] {
            let _ = Command::new("pg_dropcluster")
                .args([&self.version, cluster, "--stop"])
                .output();
        }
    }
}

#[derive(Default)]
struct Seen {
    /// Times of reads answered 200.
    answered: Vec<Instant>,
    /// Requests answered 503 or not answered at all.
    failed: u64,
    consent_ids: Vec<i64>,
}

#[test]
fn kiban_goes_on_against_the_promoted_standby_without_losing_what_it_answered() {
    let pair = Pair::create();
    let both = pair.url(&[pair.primary_port, pair.standby_port]);
    let data = tempfile::tempdir().unwrap();
    demo(&pair.url(&[pair.primary_port]), data.path());
    let before = pair.scalar(
        pair.primary_port,
        "SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'",
    );
    let server = Server::start(&both, data.path());
    let api = Api::login(data.path(), server.port, "cm01", Some(OFFICE_CERT), 0);
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut workers = Vec::new();
    for r in 0..2u32 {
        let (api, stop, seen) = (api.clone(), stop.clone(), seen.clone());
        workers.push(std::thread::spawn(move || {
            let mut i = r;
            while !stop.load(Ordering::Relaxed) {
                let path = format!("/persons/131011/{}/qualification", insured(1 + i % 90));
                i += 2;
                let status = api.status(&path);
                let mut seen = seen.lock().unwrap();
                match status {
                    Some(200) => seen.answered.push(Instant::now()),
                    Some(503) | None => seen.failed += 1,
                    Some(other) => panic!("{path} answered {other}"),
                }
                drop(seen);
                if status != Some(200) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }));
    }
    {
        let (api, stop, seen) = (api.clone(), stop.clone(), seen.clone());
        workers.push(std::thread::spawn(move || {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let person = insured(100 + i % 200);
                i += 1;
                let body = json!({ "identity": { "method": "paper", "reason": "no_card" } });
                match api.post_any(&format!("/persons/131011/{person}/enrolment"), body) {
                    Some((200, answer)) if answer["ok"] == true => {
                        let ids = answer["data"]["consent_ids"].as_array().unwrap();
                        seen.lock()
                            .unwrap()
                            .consent_ids
                            .extend(ids.iter().map(|v| v.as_i64().unwrap()));
                    }
                    Some((200, _)) => {}
                    Some((503, _)) | None => {
                        seen.lock().unwrap().failed += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Some((other, answer)) => panic!("enrolment answered {other}: {answer}"),
                }
            }
        }));
    }

    std::thread::sleep(Duration::from_millis(1_500));
    let v = pair.version.clone();
    run(
        "pg_ctlcluster",
        &[&v, &pair.primary, "stop", "-m", "immediate"],
    );
    let stopped = Instant::now();
    run("pg_ctlcluster", &[&v, &pair.standby, "promote"]);
    let promoted = stopped.elapsed();
    std::thread::sleep(Duration::from_millis(3_000));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    let before_switch = seen.answered.iter().filter(|t| **t < stopped).count();
    let first_after = seen
        .answered
        .iter()
        .filter(|t| **t >= stopped)
        .min()
        .copied();
    let without_service = first_after.map(|t| t - stopped);
    // The longest time no read was answered, around the switch.
    let mut times = seen.answered.clone();
    times.sort();
    let longest_gap = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    eprintln!(
        "failover: standby promoted {promoted:?} after the primary was down; {} reads answered \
         ({before_switch} before the switch), {} requests failed (503 or no answer), \
         {} consents acknowledged; first answer {without_service:?} after the primary was down, \
         longest time without an answer {longest_gap:?}",
        seen.answered.len(),
        seen.failed,
        seen.consent_ids.len()
    );
    assert!(
        before_switch > 0 && !seen.consent_ids.is_empty(),
        "the load ran"
    );
    assert!(
        without_service.is_some_and(|d| d < Duration::from_secs(3)),
        "kiban went on against the new primary without a restart"
    );

    // Nothing answered was lost: the consents and the audit events are on the new primary.
    let ids: Vec<String> = seen.consent_ids.iter().map(i64::to_string).collect();
    assert_eq!(
        pair.scalar(
            pair.standby_port,
            &format!(
                "SELECT count(*) FROM consents WHERE id IN ({})",
                ids.join(",")
            )
        ),
        seen.consent_ids.len() as i64,
        "an acknowledged consent is missing after the failover"
    );
    let audited = pair.scalar(
        pair.standby_port,
        "SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'",
    ) - before;
    assert!(
        audited as usize >= seen.answered.len(),
        "{audited} events for {} answered reads",
        seen.answered.len()
    );
    drop(server);
    crate::audit_intact(&pair.url(&[pair.standby_port]), data.path());
}

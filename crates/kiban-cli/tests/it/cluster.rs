//! Two `kiban serve` processes on one PostgreSQL database behind HAProxy (Debian's, installed
//! by scripts/ensure-haproxy): one is killed with SIGKILL under a bounded load of 資格確認 reads
//! through the balancer; the reads go on through the other, every read answered 200 has its
//! audit event, and `kiban audit verify` passes. The two servers share one data directory (the
//! keys and the checkpoint log, whose appends are locked), as two processes on one host do.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kiban_testkit::TestDb;

use crate::crash::serve::{insured, Api, OFFICE_CERT};
use crate::running::{demo, free_port, Server};

/// HAProxy in TCP mode (TLS passes through: the servers see the offices' client certificates),
/// round robin, each server checked every 200 ms; a connection the chosen server refuses is
/// sent to the other.
struct Balancer {
    child: Child,
    port: u16,
    _config: tempfile::NamedTempFile,
}

impl Balancer {
    fn start(servers: &[u16]) -> Self {
        let port = free_port();
        let mut config = tempfile::NamedTempFile::new().unwrap();
        let mut text = format!(
            "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n  \
             retries 3\n  option redispatch\nfrontend kiban\n  bind 127.0.0.1:{port}\n  default_backend servers\n\
             backend servers\n  balance roundrobin\n"
        );
        for (i, p) in servers.iter().enumerate() {
            text.push_str(&format!(
                "  server s{i} 127.0.0.1:{p} check inter 200ms fall 1 rise 2\n"
            ));
        }
        config.write_all(text.as_bytes()).unwrap();
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(config.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy is installed (scripts/ensure-haproxy)");
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "haproxy did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            _config: config,
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one reader saw: answers 200, requests without an answer, and the times of the 200s.
#[derive(Default)]
struct Seen {
    answered: u64,
    unanswered: u64,
    times: Vec<Instant>,
}

#[test]
fn two_servers_behind_haproxy_keep_serving_when_one_is_killed() {
    let db = TestDb::postgres();
    let data = tempfile::tempdir().unwrap();
    demo(&db.url, data.path());
    let first = Server::start(&db.url, data.path());
    let second = Server::start(&db.url, data.path());
    let balancer = Balancer::start(&[first.port, second.port]);
    let before = db.scalar("SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'");

    // One login through the balancer: the session is in the database, good at both servers.
    let api = Api::login(data.path(), balancer.port, "cm01", Some(OFFICE_CERT), 0);
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let (api, stop, seen) = (api.clone(), stop.clone(), seen.clone());
            std::thread::spawn(move || {
                let mut i = r;
                while !stop.load(Ordering::Relaxed) {
                    let path = format!("/persons/131011/{}/qualification", insured(1 + i % 100));
                    i += 4;
                    let status = api.status(&path);
                    let mut seen = seen.lock().unwrap();
                    match status {
                        Some(200) => {
                            seen.answered += 1;
                            seen.times.push(Instant::now());
                        }
                        Some(other) => panic!("{path} answered {other}"),
                        None => seen.unanswered += 1,
                    }
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(1_500));
    let killed_at = Instant::now();
    first.kill();
    std::thread::sleep(Duration::from_millis(2_500));
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    let before_kill = seen.times.iter().filter(|t| **t < killed_at).count();
    let after_kill = seen.times.iter().filter(|t| **t >= killed_at).count();
    let first_after = seen
        .times
        .iter()
        .filter(|t| **t >= killed_at)
        .min()
        .copied();
    eprintln!(
        "cluster: {} reads answered ({before_kill} before the kill, {after_kill} after), {} without an answer; \
         first answer {:?} after the kill",
        seen.answered,
        seen.unanswered,
        first_after.map(|t| t - killed_at)
    );
    assert!(before_kill > 0, "the load ran before the kill");
    assert!(
        after_kill > 0,
        "reads went on through the other server after the kill"
    );
    assert!(
        first_after.is_some_and(|t| t - killed_at < Duration::from_secs(2)),
        "service came back within 2 s"
    );

    // Every read answered 200 has its audit event (and the login its own).
    let audited = db.scalar("SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'") - before;
    assert!(
        audited as u64 >= seen.answered,
        "{audited} events for {} answered reads",
        seen.answered
    );
    drop(second);
    drop(balancer);
    crate::audit_intact(&db.url, data.path());
}

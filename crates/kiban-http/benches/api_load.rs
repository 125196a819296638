//! 資格確認 read throughput against a bare route of the same stack, measured in one run on this
//! machine (load generator and server share its two cores, as on a real single-box install):
//!
//! 1. closed loop, `KIBAN_BENCH_CONCURRENCY` (default 16) requests in flight for
//!    `KIBAN_BENCH_PEAK_SECONDS` (default 10 s) each: `GET /api/v1/health` (TLS, no store) and
//!    `GET /api/v1/persons/…/qualification` (mutual TLS + bearer token + policy decision +
//!    audit append + the summary read);
//! 2. open loop at 70% (`KIBAN_BENCH_LOAD_FRACTION`, default 0.7) of the qualification peak
//!    for `KIBAN_BENCH_SECONDS` (default 60 s):
//!    latency measured from each request's scheduled start, so queueing counts. At most
//!    `KIBAN_BENCH_CONNECTIONS` (default 64) requests are in flight, as with a load generator's
//!    fixed connection count (oha `-c`, wrk `-c`): a request whose turn comes while all are busy
//!    waits, and the wait is part of its latency.
//!
//! SQLite by default; `KIBAN_BENCH_ENGINE=postgres` runs against the local PostgreSQL server.
//!
//! `cargo bench -p kiban-http --bench api_load` (part of `scripts/bench`).

#[path = "../tests/it/support.rs"]
#[allow(dead_code)]
mod support;

use kiban_app::access::Caller;
use kiban_domain::access::{
    Actor, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Fixture, INSURER, OFFICE};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Closed loop: `concurrency` tasks each sending back to back for `seconds`. Returns (ok, errors).
async fn closed_loop(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    concurrency: u64,
    seconds: u64,
) -> (u64, u64) {
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, token, ok, errors) = (
            client.clone(),
            url.to_string(),
            token.map(str::to_string),
            ok.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if send(&client, &url, token.as_deref()).await {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed))
}

/// One request; success means HTTP 200 with `"ok":true`.
async fn send(client: &reqwest::Client, url: &str, token: Option<&str>) -> bool {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(r) if r.status() == 200 => r
            .text()
            .await
            .map(|b| b.contains("\"ok\":true"))
            .unwrap_or(false),
        _ => false,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let concurrency = env("KIBAN_BENCH_CONCURRENCY", 16);
        let peak_seconds = env("KIBAN_BENCH_PEAK_SECONDS", 10);
        let seconds = env("KIBAN_BENCH_SECONDS", 60);
        let postgres = std::env::var("KIBAN_BENCH_ENGINE").is_ok_and(|e| e == "postgres");
        let mut fx = if postgres {
            Fixture::postgres().await
        } else {
            Fixture::sqlite().await
        };
        println!("engine: {}", if postgres { "PostgreSQL" } else { "SQLite" });
        fx.add_staff("cm01", "office_staff", OFFICE);
        let cert = fx.cert(OFFICE);
        let client = fx.client(Some(&cert));
        let token = fx.login(&client, "cm01").await;
        let person = PersonRef { insurer: InsurerNumber::parse(INSURER).unwrap(), insured: InsuredNumber::from_u64(100_001).unwrap() };
        let caller = Caller {
            actor: Actor::OfficeStaff { office: OfficeNumber::parse(OFFICE).unwrap(), kind: OfficeKind::HomeCareSupport, job: Job::CareManager },
            account: "cm01".into(),
        };
        let paper = ConsentMethod::Paper { reason: PaperReason::NoCard, witness: "cm01".into() };
        let now = Timestamp::from_millis(support::now_ms());
        fx.conn(|conn| kiban_app::qualification::enrol(conn, &caller, person, &paper, &[], None, now).unwrap());
        let health = fx.url("/api/v1/health");
        let read = fx.url(&format!("/api/v1/persons/{INSURER}/{}/qualification", person.insured));
        assert!(send(&client, &read, Some(&token)).await, "the qualification read is allowed");

        let (h_ok, h_err) = closed_loop(&client, &health, None, concurrency, peak_seconds).await;
        let (q_ok, q_err) = closed_loop(&client, &read, Some(&token), concurrency, peak_seconds).await;
        let h_rate = h_ok as f64 / peak_seconds as f64;
        let q_rate = q_ok as f64 / peak_seconds as f64;
        println!("bare route GET /health: {h_rate:.0} req/s ({h_ok} ok, {h_err} errors, {concurrency} in flight, {peak_seconds} s)");
        println!("資格確認 read (mTLS + token + policy + audit + summary): {q_rate:.0} req/s ({q_ok} ok, {q_err} errors)");
        println!("qualification / bare = {:.0}%", q_rate / h_rate * 100.0);

        let fraction = std::env::var("KIBAN_BENCH_LOAD_FRACTION")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.7);
        let target = q_rate * fraction;
        let interval = Duration::from_secs_f64(1.0 / target);
        let start = tokio::time::Instant::now();
        let total = (target * seconds as f64) as u64;
        let errors = Arc::new(AtomicU64::new(0));
        // A fixed set of senders, one per connection, takes the schedule's slots in turn (as
        // wrk2 does): a slot whose time has passed is sent at once and its wait counts.
        let next_slot = Arc::new(AtomicU64::new(0));
        let mut senders = Vec::new();
        for _ in 0..env("KIBAN_BENCH_CONNECTIONS", 64) {
            let (client, read, token, errors, next_slot) =
                (client.clone(), read.clone(), token.clone(), errors.clone(), next_slot.clone());
            senders.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next_slot.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return latencies;
                    }
                    let scheduled = start + interval.mul_f64(i as f64);
                    tokio::time::sleep_until(scheduled).await;
                    if !send(&client, &read, Some(&token)).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    latencies.push(scheduled.elapsed());
                }
            }));
        }
        let mut latencies = Vec::with_capacity(total as usize);
        for sender in senders {
            latencies.extend(sender.await.unwrap());
        }
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        println!(
            "open loop at {:.0}% of peak ({target:.0} req/s, {seconds} s, {} requests): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} errors",
            fraction * 100.0,
            latencies.len(),
            pct(0.50).as_secs_f64() * 1000.0,
            pct(0.99).as_secs_f64() * 1000.0,
            latencies.last().unwrap().as_secs_f64() * 1000.0,
            errors.load(Ordering::Relaxed)
        );
        let events = fx.db(|store| store.audit_head().unwrap().0);
        println!("audit events appended during the run: {events}");
    });
}

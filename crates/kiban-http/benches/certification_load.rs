//! 要介護認定 end to end under load (issue 5): `KIBAN_BENCH_APPLICATIONS` (default 10,000)
//! applications driven through the full path over the API in one run, while the care manager's
//! office reads their progress at a fixed rate.
//!
//! Each application, one task driving it step by step, `KIBAN_BENCH_CONCURRENCY` (default 16)
//! in flight: 申請受付 (municipal staff, purpose 認定事務, with the care manager's office as
//! 計画作成依頼届出 and the application-time consent) → request_survey → request_opinion (the
//! hospital) → 認定調査票 → 主治医意見書 (the hospital's physician over the hospital's client
//! certificate, physician-signed) → 一次判定 → assign_committee → 審査会 decision: 8 requests.
//! The opinion body is the same for every application, so it is signed once and the signature
//! reused (it covers the body bytes only).
//!
//! Meanwhile one task acts as the care manager: `KIBAN_BENCH_PROGRESS_RATE` (default 50) progress
//! queries per second (`GET /api/v1/certification/applications/{id}` of an already-filed
//! application whose person has a card in force, which carries the office as 計画作成依頼届出),
//! open loop, each latency measured from its scheduled start.
//!
//! Before timing: the registry is grown to N synthetic persons (generator seed 3, as the
//! fixture's own 10) and the office is contracted with each (`enrol`, 要介護認定情報 opted out:
//! the application consent brings it). A person with no card in force still completes the path;
//! the decision then writes no card (counted and printed).
//!
//! SQLite by default; `KIBAN_BENCH_ENGINE=postgres` runs against the local PostgreSQL server.
//!
//! `cargo bench -p kiban-http --bench certification_load`

#[path = "../tests/it/support.rs"]
#[allow(dead_code)]
mod support;

use kiban_app::access::{Caller, Outcome};
use kiban_app::import::{import_file, ImportOptions};
use kiban_crypto::{PhysicianId, Pin, Validity};
use kiban_domain::access::{
    Actor, ConsentCategory, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::codes::CareLevel;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_domain::records::{current_as_of, RecordKind};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions, FIRST_INSURED};
use kiban_testkit::certification as samples;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Fixture, INSURER, OFFICE};

const HOSPITAL: &str = "1310000009";
const APPS: &str = "/api/v1/certification/applications";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        insured: InsuredNumber::from_u64(100_000 + n).unwrap(),
    }
}

/// What the run counts, shared by every task.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    progress_queries: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
    completed: AtomicU64,
    without_card: AtomicU64,
    not_insured: AtomicU64,
}

impl Stats {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap().get_or_insert(what);
    }
}

/// The three callers and their clients.
struct Parties {
    city: (reqwest::Client, String),
    hospital: (reqwest::Client, String),
    base: String,
}

/// One request; `Ok(data)` when answered 200 with `"ok":true`, else the path, status and body.
async fn call(
    client: &reqwest::Client,
    token: &str,
    url: String,
    purpose: bool,
    body: Option<&Value>,
) -> Result<Value, String> {
    let mut request = match body {
        Some(b) => client.post(&url).json(b),
        None => client.get(&url),
    }
    .bearer_auth(token);
    if purpose {
        request = request.header("X-Kiban-Purpose", "certification_affairs");
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status == 200 && value["ok"] == true {
        Ok(value["data"].clone())
    } else {
        Err(format!("{url}: {status} {text}"))
    }
}

/// The documents every application gets, built once.
struct Documents {
    today: String,
    survey: Value,
    opinion: Value,
    judgment: Value,
    assign: Value,
    result: Value,
}

/// How an application ended.
enum Driven {
    /// Decided; whether the decision wrote a card.
    Decided { card: bool },
    /// Refused at filing, as it must be: the person has no card in force (PERSON_NOT_INSURED).
    NotInsured,
}

/// Drives application `n` from filing to decision, handing its id to `filed` once filed.
async fn drive(
    parties: &Parties,
    docs: &Documents,
    stats: &Stats,
    (n, has_card): (u64, bool),
    filed: impl FnOnce(i64),
) -> Result<Driven, String> {
    let municipal = |path: String, body: Value| async move {
        stats.requests.fetch_add(1, Ordering::Relaxed);
        let (city, token) = (&parties.city.0, parties.city.1.as_str());
        call(
            city,
            token,
            format!("{}{path}", parties.base),
            true,
            Some(&body),
        )
        .await
    };
    let application = json!({
        "insurer": INSURER, "insured": person(n).insured.to_string(), "kind": "new",
        "applicant": "office", "proxy_office": OFFICE, "applied_on": docs.today,
        "share_with_care_manager": true, "care_plan_office": OFFICE,
        "care_plan_office_name": "さくら居宅介護支援事業所" });
    let id = match municipal(APPS.to_string(), application).await {
        Err(e) if !has_card && e.contains("\"PERSON_NOT_INSURED\"") => {
            return Ok(Driven::NotInsured)
        }
        answer => answer?,
    }["id"]
        .as_i64()
        .ok_or("the filing answers with an id")?;
    filed(id);
    let app = format!("{APPS}/{id}");
    municipal(format!("{app}/steps"), json!({ "step": "request_survey" })).await?;
    let opinion_request = json!({ "step": "request_opinion", "institution": HOSPITAL });
    municipal(format!("{app}/steps"), opinion_request).await?;
    municipal(format!("{app}/survey"), docs.survey.clone()).await?;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let (hospital, dr_token) = (&parties.hospital.0, parties.hospital.1.as_str());
    let url = format!("{}{app}/opinion", parties.base);
    call(hospital, dr_token, url, false, Some(&docs.opinion)).await?;
    municipal(format!("{app}/primary-judgment"), docs.judgment.clone()).await?;
    municipal(format!("{app}/steps"), docs.assign.clone()).await?;
    let decided = municipal(format!("{app}/decision"), docs.result.clone()).await?;
    if decided["application"]["status"] != "certified" {
        return Err(format!("{app}/decision: not certified: {decided}"));
    }
    Ok(Driven::Decided {
        card: decided["card_history"].is_i64(),
    })
}

/// Grows the registry to `persons` synthetic persons (person n is 被保険者番号 100_000 + n; the
/// fixture's 10 are the first 10).
/// Returns the number of the fixture's rows kept as they were.
fn seed_persons(conn: &mut kiban_app::Connection, persons: u64) -> u64 {
    let mut kept = 0;
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        persons,
        seed: 3,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090100".into(),
        as_of: kiban_domain::Date::parse_yyyymmdd("20261101").unwrap(),
    };
    assert_eq!(FIRST_INSURED, 100_001, "person n is 100_000 + n");
    for (file, _) in generate(dir.path(), &options, &mut |_| {}).unwrap().files {
        let report = import_file(conn, &file, &ImportOptions::default(), &mut |_| {}).unwrap();
        // The generator's places depend on the run's size, so the fixture's own 10 persons
        // differ in a few versions: those are kept as seeded (HISTORY_CONFLICT), nothing else
        // may be rejected (only those 10 had stored versions to conflict with).
        let conflict = |i: &kiban_interchange::issue::Issue| i.code == "HISTORY_CONFLICT";
        assert!(report.issues.iter().all(conflict), "{:?}", report.issues);
        kept += report.rows_rejected;
    }
    kept
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let total = env("KIBAN_BENCH_APPLICATIONS", 10_000);
    let concurrency = env("KIBAN_BENCH_CONCURRENCY", 16);
    let rate = env("KIBAN_BENCH_PROGRESS_RATE", 50).max(1);
    let postgres = std::env::var("KIBAN_BENCH_ENGINE").is_ok_and(|e| e == "postgres");
    let mut fx = if postgres {
        Fixture::postgres().await
    } else {
        Fixture::sqlite().await
    };
    println!(
        "engine: {}; {total} applications, {concurrency} in flight, progress queries at {rate}/s",
        if postgres { "PostgreSQL" } else { "SQLite" }
    );

    // Setup, untimed: staff, the hospital, N persons, the office's contract with each.
    let setup = Instant::now();
    fx.add_staff("city1", "municipal_staff", INSURER);
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.db(|store| {
        store
            .put_office(&support::office_row(
                HOSPITAL,
                "千代田みなと病院",
                "medical_institution",
                &[],
            ))
            .unwrap()
    });
    fx.add_staff("dr1", "medical_staff", HOSPITAL);
    let kept = fx.conn(|conn| seed_persons(conn, total));
    let now = Timestamp::from_millis(support::now_ms());
    let today = now.jst_date();
    let caller = Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse(OFFICE).unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "cm1".into(),
    };
    let paper = ConsentMethod::Paper {
        reason: PaperReason::NoCard,
        witness: "cm1".into(),
    };
    let out = [ConsentCategory::Certification];
    // Per person: (contracted, card in force today). The filing needs the card and writes the
    // 計画作成依頼届出 on it, which the application consent needs; the serving needs the contract.
    let enrolled: Vec<bool> = fx.conn(|conn| {
        (1..=total)
            .map(|n| {
                matches!(
                    kiban_app::qualification::enrol(
                        conn,
                        &caller,
                        person(n),
                        &paper,
                        &out,
                        None,
                        now
                    )
                    .unwrap(),
                    Outcome::Allowed(_)
                )
            })
            .collect()
    });
    let persons: Arc<Vec<(bool, bool)>> = fx.db(|store| {
        (1..=total)
            .map(|n| {
                let p = person(n);
                let enrolled = enrolled[(n - 1) as usize];
                let history = store
                    .person_history(RecordKind::InsuredCard, p.insurer, p.insured)
                    .unwrap();
                assert!(!history.versions.is_empty(), "person {n} was imported");
                let card = current_as_of(&history.versions, &history.withdrawn, today).is_some();
                (enrolled, card)
            })
            .collect::<Vec<_>>()
            .into()
    });
    let with_card = persons.iter().filter(|p| p.1).count();
    let enrolled = persons.iter().filter(|p| p.0).count();
    let city_client = fx.client_with(Some(&fx.staff_cert("city1")), Some(Duration::from_secs(60)));
    let city_token = fx.login(&city_client, "city1").await;
    let office = fx.client_with(Some(&fx.cert(OFFICE)), Some(Duration::from_secs(60)));
    let cm_token = fx.login(&office, "cm1").await;
    let hospital_cert = fx.hospital_cert(HOSPITAL);
    let hospital = fx.client_with(Some(&hospital_cert), Some(Duration::from_secs(60)));
    let dr_token = fx.login(&hospital, "dr1").await;
    let pin = Pin::parse("1234").unwrap();
    let physician = fx
        .physicians
        .issue(
            MedicalInstitutionCode::parse(HOSPITAL).unwrap(),
            &PhysicianId::parse("123456").unwrap(),
            &pin,
            Validity::days_from(support::now(), 30),
        )
        .unwrap();
    let signature = physician
        .file
        .sign(&pin, samples::OPINION.as_bytes())
        .unwrap();
    let docs = Arc::new(Documents {
        today: today.yyyymmdd(),
        survey: serde_json::to_value(samples::survey(today)).unwrap(),
        opinion: json!({ "body": samples::OPINION, "signature": signature }),
        judgment: serde_json::to_value(samples::primary_judgment()).unwrap(),
        assign: json!({ "step": "assign_committee", "committee_on": today.yyyymmdd() }),
        result: serde_json::to_value(samples::committee_result(today, CareLevel::Care2)).unwrap(),
    });
    let parties = Arc::new(Parties {
        city: (city_client, city_token),
        hospital: (hospital, dr_token),
        base: fx.url(""),
    });
    println!(
        "setup (untimed): {total} persons imported ({kept} conflicting rows of the fixture's 10 kept as seeded), {enrolled} contracted, {with_card} with a card in force, in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let audit_before = fx.db(|store| store.audit_head().unwrap().0);

    // The run.
    let stats = Arc::new(Stats::default());
    let targets = Arc::new(Mutex::new(Vec::<i64>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let watcher = {
        let (stats, targets, done) = (stats.clone(), targets.clone(), done.clone());
        let url = fx.url(APPS);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            let mut queries = Vec::new();
            let mut pick: u64 = 0x9E37_79B9_7F4A_7C15;
            while !done.load(Ordering::Relaxed) {
                let scheduled = ticks.tick().await;
                let id = {
                    let targets = targets.lock().unwrap();
                    if targets.is_empty() {
                        continue;
                    }
                    pick ^= pick << 13;
                    pick ^= pick >> 7;
                    pick ^= pick << 17;
                    targets[(pick % targets.len() as u64) as usize]
                };
                let (office, token, stats, url) = (
                    office.clone(),
                    cm_token.clone(),
                    stats.clone(),
                    format!("{url}/{id}"),
                );
                queries.push(tokio::spawn(async move {
                    stats.progress_queries.fetch_add(1, Ordering::Relaxed);
                    let answer = call(&office, &token, url, false, None).await;
                    let latency = scheduled.elapsed();
                    if let Err(e) = answer {
                        stats.error(e);
                    }
                    latency
                }));
            }
            let mut latencies = Vec::with_capacity(queries.len());
            for q in queries {
                latencies.push(q.await.unwrap());
            }
            latencies
        })
    };
    let next = Arc::new(AtomicU64::new(1));
    let mut drivers = Vec::new();
    for _ in 0..concurrency {
        let (parties, docs, stats, targets, next, persons) = (
            parties.clone(),
            docs.clone(),
            stats.clone(),
            targets.clone(),
            next.clone(),
            persons.clone(),
        );
        drivers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n > total {
                    return;
                }
                let (enrolled, card) = persons[(n - 1) as usize];
                let filed = |id| {
                    if enrolled {
                        targets.lock().unwrap().push(id);
                    }
                };
                match drive(&parties, &docs, &stats, (n, card), filed).await {
                    Ok(Driven::Decided { card }) => {
                        stats.completed.fetch_add(1, Ordering::Relaxed);
                        if !card {
                            stats.without_card.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(Driven::NotInsured) => {
                        stats.not_insured.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => stats.error(e),
                }
            }
        }));
    }
    for d in drivers {
        d.await.unwrap();
    }
    let wall = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let mut latencies = watcher.await.unwrap();
    let audit_after = fx.db(|store| store.audit_head().unwrap().0);

    let secs = wall.as_secs_f64();
    let completed = stats.completed.load(Ordering::Relaxed);
    let workflow = stats.requests.load(Ordering::Relaxed);
    let queries = stats.progress_queries.load(Ordering::Relaxed);
    println!(
        "applications: {completed} of {total} decided; {} refused at filing as expected (no card in force, PERSON_NOT_INSURED); {} decisions wrote no card",
        stats.not_insured.load(Ordering::Relaxed),
        stats.without_card.load(Ordering::Relaxed)
    );
    println!(
        "API requests: {} ({workflow} workflow + {queries} progress queries); wall time {secs:.1} s",
        workflow + queries
    );
    println!(
        "throughput: {:.1} applications/s, {:.0} requests/s",
        completed as f64 / secs,
        (workflow + queries) as f64 / secs
    );
    println!("errors: {}", stats.errors.load(Ordering::Relaxed));
    if let Some(e) = stats.first_error.lock().unwrap().as_ref() {
        println!("first error: {e}");
    }
    latencies.sort();
    if latencies.is_empty() {
        println!("progress queries: none");
    } else {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct =
            |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        println!(
            "progress query latency ({} queries): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            latencies.len(),
            ms(pct(0.50)),
            ms(pct(0.99)),
            ms(*latencies.last().unwrap())
        );
    }
    println!(
        "audit events appended during the run: {}",
        audit_after - audit_before
    );
}

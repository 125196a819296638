//! Care-plan benchmark: the figures of issue 6, printed for docs/benchmarks.md.
//!
//! `cargo bench -p kiban-app --bench careplan_load` (or `scripts/bench`). Environment:
//! `KIBAN_BENCH_CAREPLAN_PERSONS` (default 50,000), `KIBAN_BENCH_ENGINES` (sqlite,postgres; empty
//! for the read alone), `KIBAN_BENCH_PARSE_ROUNDS` (reads of the month before the stores, default 1),
//! `KIBAN_BENCH_UPLOADERS` (uploads at once, default 2: one per core of the reference machine),
//! `KIBAN_TEST_POSTGRES_URL`.
//!
//! 1. **A month of V4 CSV**: a generated municipality of N care-plan users (one 居宅介護支援事業所
//!    per ~125 users, one service office per ~80), all six file kinds (第1表, 第2表, 補足, 第6・7表,
//!    実績; the 削除 units too), uploaded the way offices send them: each care office sends its
//!    plan unit and its 利用票 units in one upload, each service office its 実績 units, several
//!    offices at once as in `kiban serve` (each on its own store connection). Timed:
//!    reading (CP932, every check), the send rule, one policy decision and audit event per person
//!    per upload, and the writes. The relationships and consents are set up beforehand, untimed.
//!    SQLite runs as `kiban serve` runs it: WAL checkpoints on a thread of their own.
//! 2. **集中減算**: the five other months of the 判定期間 are copied from the first straight into
//!    the store (untimed), then the judgment of every care office over the period is timed, with
//!    the caseload report and the regional statistics beside it.

use kiban_app::access::{Caller, Outcome};
use kiban_app::careplan::corporations::register_corporations;
use kiban_app::careplan::municipal::{caseloads, concentration, regional_stats};
use kiban_app::careplan::register::service_month_set;
use kiban_app::careplan::{v4, Registration};
use kiban_domain::access::{Actor, Job, OfficeKind, Purpose, Timestamp};
use kiban_domain::careplan::period::JudgmentPeriod;
use kiban_domain::careplan::YearMonth;
use kiban_domain::ids::{InsurerNumber, OfficeNumber};
use kiban_interchange::careplan::{parse_file_name, read_unit, Document};
use kiban_interchange::generate::careplan::{month, CarePlanSpec, GeneratedMonth};
use kiban_store::Store;
use kiban_testkit::careplan::relate_pairs;
use kiban_testkit::TestDb;
use std::collections::BTreeMap;
use std::time::Instant;

/// 2026-10-05 10:00 JST.
const NOW: i64 = 1_791_162_000_000;

fn main() {
    let persons: u64 = std::env::var("KIBAN_BENCH_CAREPLAN_PERSONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let engines = std::env::var("KIBAN_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    let uploaders: usize = std::env::var("KIBAN_BENCH_UPLOADERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let insurer = InsurerNumber::parse("131011").unwrap();
    let first = YearMonth::parse("202609").unwrap();
    let started = Instant::now();
    let g = month(&CarePlanSpec {
        insurer,
        persons,
        insured: Vec::new(),
        month: first,
        care_offices: (persons as usize / 125).max(1),
        service_offices: (persons as usize / 80).max(5),
        seed: 2026,
        created: "20261001090000".into(),
        deletions: true,
    });
    let files: usize = g.units.iter().map(|u| u.files.len()).sum();
    let bytes: usize = g
        .units
        .iter()
        .flat_map(|u| &u.files)
        .map(|(_, b)| b.len())
        .sum();
    println!(
        "generated {persons} persons, {} offices, {} units, {files} files, {:.1} MB in {:.1} s (not timed below)",
        g.offices.len(),
        g.units.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    // More rounds of the read alone make a profile of it (`KIBAN_BENCH_ENGINES=` skips the stores).
    let rounds: usize = std::env::var("KIBAN_BENCH_PARSE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut units = Vec::new();
    for _ in 0..rounds.max(1) {
        drop(std::mem::take(&mut units));
        let parse = Instant::now();
        units = g
            .units
            .iter()
            .map(|u| read_unit(&u.files).expect("generated units read"))
            .collect();
        println!(
            "  parse only (read + assemble every unit): {:.2} s",
            parse.elapsed().as_secs_f64()
        );
    }
    for engine in engines.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let mut db = match engine {
            "sqlite" => TestDb::sqlite(),
            "postgres" => TestDb::postgres(),
            other => panic!("unknown engine {other}"),
        };
        println!("== {engine}");
        let checkpointer = (engine == "sqlite").then(|| wal_checkpointer(&mut db));
        let url = db.url.clone();
        run(db.store(), &url, uploaders, &g, &units, insurer, first);
        if let Some((stop, thread)) = checkpointer {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            thread.join().unwrap();
        }
    }
}

/// As `kiban serve` runs SQLite (kiban-http's wal.rs): the writing connection defers WAL
/// checkpoints, and a thread with its own connection runs a passive checkpoint every 250 ms.
fn wal_checkpointer(
    db: &mut TestDb,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    db.store().defer_wal_checkpoints().unwrap();
    let path = db.url.trim_start_matches("sqlite://").to_string();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let mut store = kiban_store::SqliteStore::open(std::path::Path::new(&path)).unwrap();
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(250));
            store.checkpoint_wal().unwrap();
        }
    });
    (stop, thread)
}

fn run(
    store: &mut dyn Store,
    url: &str,
    uploaders: usize,
    g: &GeneratedMonth,
    units: &[kiban_interchange::careplan::SendUnit],
    insurer: InsurerNumber,
    first: YearMonth,
) {
    let setup = Instant::now();
    let relations = g.relations();
    relate_pairs(
        store,
        &relations,
        &["care_plan"],
        "20260401",
        NOW - 86_400_000,
    )
    .unwrap();
    println!(
        "  setup: {} relations with consent in {:.1} s (not timed)",
        relations.len(),
        setup.elapsed().as_secs_f64()
    );

    // One upload per sending office, as offices send a month.
    let care: std::collections::HashSet<OfficeNumber> =
        g.persons.iter().map(|p| p.care_office).collect();
    let mut uploads: BTreeMap<OfficeNumber, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for unit in &g.units {
        let sender = parse_file_name(&unit.files[0].0).unwrap().sender;
        uploads
            .entry(sender)
            .or_default()
            .extend(unit.files.iter().cloned());
    }
    let at = Timestamp::from_millis(NOW);
    // Care offices first (plans, 利用票, 削除), then the service offices' 実績.
    let order: Vec<OfficeNumber> = uploads
        .keys()
        .filter(|o| care.contains(o))
        .chain(uploads.keys().filter(|o| !care.contains(o)))
        .copied()
        .collect();
    let upload = |conn: &mut kiban_app::Connection, office: OfficeNumber| {
        let (kind, job) = if care.contains(&office) {
            (OfficeKind::HomeCareSupport, Job::CareManager)
        } else {
            (OfficeKind::HomeService, Job::CareWorker)
        };
        let caller = Caller {
            actor: Actor::OfficeStaff { office, kind, job },
            account: format!("staff-{office}"),
        };
        v4::register_files(
            conn,
            &caller,
            uploads[&office].clone(),
            Registration::Issue,
            at,
        )
        .unwrap()
    };
    // Offices send their months at the same time; `kiban serve` runs each request on a store
    // connection of its own. The bench sends `uploaders` uploads at once, each worker with its
    // own connection, all through the same group-committed audit chain.
    let queue = std::sync::Mutex::new(order.into_iter());
    let totals = std::sync::Mutex::new((0u64, 0u64, 0u64));
    let load = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..uploaders {
            scope.spawn(|| {
                let mut own = kiban_app::Connection::open(url).unwrap();
                own.defer_wal_checkpoints().unwrap();
                loop {
                    let Some(office) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let report = upload(&mut own, office);
                    let mut t = totals.lock().unwrap();
                    t.0 += report.persons_registered;
                    t.1 += report.documents_registered;
                    t.2 += report.persons_refused + report.issues.len() as u64;
                }
            });
        }
    });
    let seconds = load.elapsed().as_secs_f64();
    let (persons, documents, refused) = *totals.lock().unwrap();
    assert_eq!(refused, 0, "the generated month registers without refusals");
    println!(
        "  RESULT careplan-month {} persons: {} uploads ({uploaders} at a time), {persons} person-uploads decided and audited, {documents} documents in {seconds:.2} s (goal < 30 s)",
        g.persons.len(),
        uploads.len()
    );

    // The other five months of the 判定期間, copied from the first (untimed).
    let period = JudgmentPeriod::of_month(first);
    let copy = Instant::now();
    let mut sets = Vec::new();
    for unit in units {
        let (care_office, to) = (unit.header.sender, unit.header.receiver);
        for entry in &unit.persons {
            let level = entry.documents.iter().find_map(|d| match d {
                Document::Supplement(s) => s.record.care_level,
                _ => None,
            });
            for doc in &entry.documents {
                let (Document::ServiceUse(usage), Some(level)) = (doc, level) else {
                    continue;
                };
                for m in period.months().iter().filter(|m| **m != first) {
                    sets.push(service_month_set(usage, level, care_office, to, *m));
                }
            }
        }
    }
    for chunk in sets.chunks(5_000) {
        store.begin().unwrap();
        store.replace_service_months(chunk).unwrap();
        store.commit().unwrap();
    }
    println!(
        "  setup: five more months, {} 利用票 copied in {:.1} s (not timed)",
        sets.len(),
        copy.elapsed().as_secs_f64()
    );

    let review = Caller {
        actor: Actor::MunicipalStaff {
            insurer,
            purpose: Purpose::Review,
        },
        account: "city01".into(),
    };
    let csv = g.corporations_csv();
    // The municipal console's use cases on a connection of their own (the raw store above
    // sets up what is not timed).
    let mut conn = kiban_app::Connection::open(url).unwrap();
    let conn = &mut conn;
    let Outcome::Allowed(registry) = register_corporations(conn, &review, &csv, at).unwrap() else {
        panic!("registry")
    };
    assert!(registry.issues.is_empty(), "{:?}", registry.issues.first());
    println!(
        "  setup: {} offices of {} corporations registered (not timed)",
        registry.offices_registered,
        g.corporations.len()
    );
    let judge = Instant::now();
    let Outcome::Allowed(report) = concentration(conn, &review, period, at).unwrap() else {
        panic!("allowed")
    };
    let judged = judge.elapsed().as_secs_f64();
    let reduced = report.offices.iter().filter(|o| o.reduced).count();
    let over = report.offices.iter().filter(|o| o.any_over_80).count();
    println!(
        "  RESULT concentration {} offices over {} ({over} over 80 %, {reduced} reduced) in {judged:.2} s (goal < 5 s)",
        report.offices.len(),
        period.code()
    );
    let t = Instant::now();
    let Outcome::Allowed(load) = caseloads(conn, &review, first, at).unwrap() else {
        panic!()
    };
    println!(
        "  caseload report, {} offices: {:.2} s",
        load.offices.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let Outcome::Allowed(stats) = regional_stats(conn, &review, first, at).unwrap() else {
        panic!()
    };
    println!(
        "  regional statistics, {} service kinds: {:.2} s",
        stats.service_kinds.len(),
        t.elapsed().as_secs_f64()
    );
}

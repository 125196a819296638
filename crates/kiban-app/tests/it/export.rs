//! Export and statistics through the access policy, on both engines: every exported person is
//! decided and audited (action `export`, with the purpose), refused persons are not written,
//! and a statistics run is one aggregate event that no person sees in their history.

use kiban_app::access::{Caller, Outcome, AGGREGATE_INSURED};
use kiban_app::audit::{verify, SignatureCheck};
use kiban_app::citizen::access_history;
use kiban_app::export::{export_insurer, ExportOptions};
use kiban_app::import::{import_file, ImportOptions};
use kiban_app::stats::stats;
use kiban_domain::access::{Actor, Category, PersonRef, Purpose, Timestamp};
use kiban_domain::audit::{AuditEvent, Decision};
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::RecordKind;
use kiban_domain::Date;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};
use kiban_testkit::{on_both_engines, TestDb};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// 2026-11-02 10:00 JST.
const NOW: i64 = 1_793_581_200_000;

fn insurer() -> InsurerNumber {
    InsurerNumber::parse("131011").unwrap()
}

fn municipal(insurer: InsurerNumber, purpose: Purpose) -> Caller {
    Caller {
        actor: Actor::MunicipalStaff { insurer, purpose },
        account: "yamada".into(),
    }
}

fn options() -> ExportOptions {
    ExportOptions {
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090000".into(),
    }
}

/// Generates and imports a municipality; returns the generated files (RecordKind::ALL order).
fn registry(db: &mut TestDb, dir: &std::path::Path) -> Vec<PathBuf> {
    let generated = GenerateOptions {
        insurer: insurer(),
        persons: 400,
        seed: 5,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090000".into(),
        as_of: Date::parse_yyyymmdd("20261101").unwrap(),
    };
    let files: Vec<PathBuf> = generate(dir, &generated, &mut |_| {})
        .unwrap()
        .files
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for file in &files {
        import_file(db.conn(), file, &ImportOptions::default(), &mut |_| {}).unwrap();
    }
    files
}

fn events(db: &mut TestDb) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    db.store()
        .for_each_audit(1, &mut |e| {
            out.push(e);
            Ok(())
        })
        .unwrap();
    out
}

/// The persons stored for the kinds of `category`.
fn persons_in(db: &mut TestDb, category: Category) -> BTreeSet<String> {
    let mut persons = BTreeSet::new();
    for kind in RecordKind::ALL {
        if Category::of_record(kind) == category {
            db.store()
                .for_each_version(kind, insurer(), false, &mut |v| {
                    persons.insert(v.key.insured.to_string());
                    Ok(())
                })
                .unwrap();
        }
    }
    persons
}

/// No checkpoints are signed here, so no signature is ever checked.
struct NoCheckpoints;

impl SignatureCheck for NoCheckpoints {
    fn verify(&self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
        false
    }
}

fn chain_intact(db: &mut TestDb) -> u64 {
    let report = verify(
        db.conn(),
        &NoCheckpoints,
        &[],
        &kiban_app::audit::CheckpointLogs::none(),
    )
    .unwrap();
    assert_eq!(report.fault, None);
    report.events_verified
}

fn export_audits_every_person_with_the_purpose(db: &mut TestDb) {
    let work = tempfile::tempdir().unwrap();
    let generated = registry(db, &work.path().join("gen"));
    let out = work.path().join("out");
    let caller = municipal(insurer(), Purpose::QualificationAdmin);
    let at = Timestamp::from_millis(NOW);
    let report = export_insurer(db.conn(), &caller, insurer(), &out, &options(), at).unwrap();

    // Everyone allowed: the files are the generated ones, byte for byte.
    assert_eq!(report.refused(), 0);
    assert_eq!(report.files.len(), 5);
    for (file, original) in report.files.iter().zip(&generated) {
        assert_eq!(file.path.file_name(), original.file_name());
        assert!(std::fs::read(&file.path).unwrap() == std::fs::read(original).unwrap());
    }

    // One event per person and category, each with action export and the stated purpose.
    let log = events(db);
    for category in [Category::Qualification, Category::HousingEquipment] {
        let want = persons_in(db, category);
        assert!(!want.is_empty(), "{category:?} has data");
        let mine: Vec<_> = log
            .iter()
            .filter(|e| e.entry.category == category.code())
            .collect();
        let persons: BTreeSet<String> = mine.iter().map(|e| e.entry.insured.clone()).collect();
        assert_eq!(mine.len(), want.len(), "{category:?}: one event per person");
        assert_eq!(persons, want);
        let decided = report.decisions.iter().find(|d| d.category == category);
        assert_eq!(decided.unwrap().allowed, want.len() as u64);
        for e in mine {
            let e = &e.entry;
            assert_eq!(
                (
                    e.actor_kind.as_str(),
                    e.actor_id.as_str(),
                    e.office.as_str()
                ),
                ("municipal_staff", "yamada", "131011")
            );
            assert_eq!(
                (e.action.as_str(), e.purpose.as_str()),
                ("export", "qualification_admin")
            );
            assert_eq!(
                (e.decision, e.reason.as_str()),
                (Decision::Allow, "MUNICIPAL_DUTY")
            );
            assert_eq!(e.at_ms, NOW);
        }
    }
    assert_eq!(chain_intact(db), log.len() as u64);

    // The person sees that the municipality exported their record.
    let first = log[0].entry.insured.clone();
    let person = PersonRef {
        insurer: insurer(),
        insured: InsuredNumber::parse(&first).unwrap(),
    };
    let me = Caller {
        actor: Actor::Citizen { person },
        account: "citizen".into(),
    };
    let later = Timestamp::from_millis(NOW + 1);
    let Outcome::Allowed(lines) = access_history(db.conn(), &me, person, None, 50, later).unwrap()
    else {
        panic!("the person reads their own history");
    };
    assert!(
        lines
            .iter()
            .any(|l| l.action == "export" && l.who == "保険者 131011" && l.allowed),
        "{lines:?}"
    );
}

fn refused_actors_export_nothing_and_are_audited(db: &mut TestDb) {
    let work = tempfile::tempdir().unwrap();
    registry(db, &work.path().join("gen"));
    let qualified = persons_in(db, Category::Qualification).len() as u64;
    let housing = persons_in(db, Category::HousingEquipment).len() as u64;
    let at = Timestamp::from_millis(NOW);
    let other = InsurerNumber::from_body("13102").unwrap();
    let cases = [
        (
            municipal(other, Purpose::QualificationAdmin),
            "OTHER_INSURER",
        ),
        (
            Caller {
                actor: Actor::PlatformOperator,
                account: "ops".into(),
            },
            "OPERATOR_NO_PERSONAL_DATA",
        ),
    ];
    for (caller, reason) in cases {
        let before = events(db).len();
        let out = work.path().join(reason);
        let report = export_insurer(db.conn(), &caller, insurer(), &out, &options(), at).unwrap();
        assert!(report.files.is_empty(), "{reason}: no file at all");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "{reason}");
        assert_eq!(report.refused(), qualified + housing, "{reason}");
        let new = &events(db)[before..];
        assert_eq!(
            new.len() as u64,
            qualified + housing,
            "{reason}: every refusal audited"
        );
        assert!(new.iter().all(|e| e.entry.decision == Decision::Deny
            && e.entry.reason == reason
            && e.entry.action == "export"));
    }

    // 指導 may read 資格情報 but not 住宅改修・福祉用具: the two usage files are not written.
    let out = work.path().join("guidance");
    let caller = municipal(insurer(), Purpose::Guidance);
    let before = events(db).len();
    let report = export_insurer(db.conn(), &caller, insurer(), &out, &options(), at).unwrap();
    let names: Vec<String> = report
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy()[..5].to_string())
        .collect();
    assert_eq!(names, ["HIHO_", "FUTAN", "GENME"]);
    assert_eq!(report.refused(), housing);
    let new = &events(db)[before..];
    let denied: Vec<_> = new
        .iter()
        .filter(|e| e.entry.decision == Decision::Deny)
        .collect();
    assert_eq!(denied.len() as u64, housing);
    assert!(denied
        .iter()
        .all(|e| e.entry.category == "housing_equipment"
            && e.entry.reason == "CATEGORY_NOT_PERMITTED_FOR_PURPOSE"
            && e.entry.purpose == "guidance"));
    chain_intact(db);
}

fn stats_are_one_aggregate_event_no_person_sees(db: &mut TestDb) {
    let work = tempfile::tempdir().unwrap();
    registry(db, &work.path().join("gen"));
    let as_of = Date::parse_yyyymmdd("20261101").unwrap();
    let at = Timestamp::from_millis(NOW);
    let before = events(db).len();
    let caller = municipal(insurer(), Purpose::Review);
    let Outcome::Allowed(figures) = stats(db.conn(), &caller, insurer(), as_of, at).unwrap() else {
        panic!("the insurer's own staff count their registry");
    };
    assert!(figures.insured_persons > 350, "{figures:?}");
    let log = events(db);
    assert_eq!(log.len(), before + 1, "one event for the run");
    let e = &log[before].entry;
    assert_eq!(
        (e.insurer.as_str(), e.insured.as_str(), e.category.as_str()),
        ("131011", AGGREGATE_INSURED, "qualification")
    );
    assert_eq!((e.action.as_str(), e.purpose.as_str()), ("read", "review"));
    assert_eq!(
        (e.decision, e.reason.as_str()),
        (Decision::Allow, "MUNICIPAL_AGGREGATE")
    );

    // Other insurers' staff and the operator are refused, and that is audited too.
    let other = municipal(InsurerNumber::from_body("13102").unwrap(), Purpose::Review);
    let operator = Caller {
        actor: Actor::PlatformOperator,
        account: "ops".into(),
    };
    for (caller, reason) in [
        (other, "OTHER_INSURER"),
        (operator, "OPERATOR_NO_PERSONAL_DATA"),
    ] {
        let outcome = stats(db.conn(), &caller, insurer(), as_of, at).unwrap();
        assert!(matches!(outcome, Outcome::Denied(ref d) if d.reason == reason));
        let last = events(db).pop().unwrap().entry;
        assert_eq!((last.insured.as_str(), last.reason.as_str()), ("", reason));
    }

    // No person's access history lists the aggregate.
    let person = PersonRef {
        insurer: insurer(),
        insured: InsuredNumber::from_u64(100_001).unwrap(),
    };
    let me = Caller {
        actor: Actor::Citizen { person },
        account: "citizen".into(),
    };
    let later = Timestamp::from_millis(NOW + 1);
    let Outcome::Allowed(lines) = access_history(db.conn(), &me, person, None, 50, later).unwrap()
    else {
        panic!("own history");
    };
    assert_eq!(lines.len(), 1, "only the person's own look: {lines:?}");
    assert!(lines.iter().all(|l| l.reason != "MUNICIPAL_AGGREGATE"));
    assert_eq!(chain_intact(db), before as u64 + 4);
}

on_both_engines!(
    export_audits_every_person_with_the_purpose,
    refused_actors_export_nothing_and_are_audited,
    stats_are_one_aggregate_event_no_person_sees
);

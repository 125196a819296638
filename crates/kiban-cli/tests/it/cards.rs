//! `kiban card issue` links the card through the access policy, as the municipality under a
//! stated purpose: a 資格情報 write that only 資格管理 may make, on the audit log either way,
//! with `--operator` as the actor.

use super::{kiban, ok, sorted_files};
use kiban_domain::audit::Decision;
use kiban_testkit::{on_both_engines, TestDb};

const PIN: &str = "4821";

fn card_links_are_decided_and_audited(db: &mut TestDb) {
    let work = tempfile::tempdir().unwrap();
    let data = work.path();
    let gen = data.join("gen");
    let g = gen.to_str().unwrap();
    ok(kiban(
        &db.url,
        &["generate", "--persons", "20", "--out", g],
        data,
    ));
    let mut import = vec!["import".to_string()];
    import.extend(sorted_files(&gen).iter().map(|p| p.display().to_string()));
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    ok(kiban(&db.url, &import, data));
    let d = data.to_str().unwrap();
    let events = |db: &mut TestDb| {
        db.store()
            .audit_for_person("131011", "0000100001", None, 100)
            .unwrap()
    };
    assert!(events(db).is_empty(), "importing reads nobody's data");

    // 指導 reads 資格情報 but may not write it: refused, audited, nothing linked or left behind.
    let refused = kiban(
        &db.url,
        &[
            "--data-dir",
            d,
            "card",
            "issue",
            "0000100001",
            "--pin",
            PIN,
            "--purpose",
            "guidance",
            "--operator",
            "suzuki",
        ],
        data,
    );
    let stderr = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("WRITE_NOT_PERMITTED"), "{stderr}");
    assert!(!data.join("cards/0000100001.card.json").exists());
    assert_eq!(db.scalar("SELECT count(*) FROM card_links"), 0);
    let logged = events(db);
    assert_eq!(logged.len(), 1, "one event for the refused link");
    let e = &logged[0].entry;
    assert_eq!(
        (
            e.actor_kind.as_str(),
            e.actor_id.as_str(),
            e.office.as_str(),
            e.category.as_str(),
            e.action.as_str(),
            e.purpose.as_str(),
            e.decision,
            e.reason.as_str(),
        ),
        (
            "municipal_staff",
            "suzuki",
            "131011",
            "qualification",
            "write",
            "guidance",
            Decision::Deny,
            "WRITE_NOT_PERMITTED"
        )
    );

    // 資格管理 (the default purpose) links it, recorded as linked by the operator.
    let issued = ok(kiban(
        &db.url,
        &[
            "--data-dir",
            d,
            "card",
            "issue",
            "0000100001",
            "--pin",
            PIN,
            "--operator",
            "tanaka",
        ],
        data,
    ));
    let fingerprint = issued
        .lines()
        .find_map(|l| {
            l.split_once("fingerprint: ")
                .map(|(_, v)| v.trim().to_string())
        })
        .expect("the fingerprint is printed");
    let link = db.store().card_link(&fingerprint).unwrap().expect("linked");
    assert_eq!(
        (link.insured.to_string().as_str(), link.linked_by.as_str()),
        ("0000100001", "tanaka")
    );
    let logged = events(db);
    assert_eq!(logged.len(), 2, "one more event for the link");
    let e = &logged[0].entry;
    assert_eq!(
        (
            e.actor_id.as_str(),
            e.category.as_str(),
            e.action.as_str(),
            e.purpose.as_str(),
            e.decision,
            e.reason.as_str(),
        ),
        (
            "tanaka",
            "qualification",
            "write",
            "qualification_admin",
            Decision::Allow,
            "MUNICIPAL_DUTY"
        )
    );
}

on_both_engines!(card_links_are_decided_and_audited);

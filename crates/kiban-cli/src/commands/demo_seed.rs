//! The synthetic actors of `kiban demo`: two offices and a hospital with client certificates,
//! one account per role with a TOTP secret (the municipal and operator accounts with a staff
//! certificate of their own, their device factor: docs/staff-login.md), cards for two persons, the first person's
//! 要介護認定 application with the 主治医意見書作成依頼 to the hospital
//! (`demo_certification.rs`), and the second person's care plans (`demo_careplan.rs`). Everything is synthetic
//! and written under the data directory; the logins are printed once and saved (mode 0600) in
//! `<data-dir>/demo/logins.txt`. Running the demo again keeps what exists.

use anyhow::Context;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    Argon2Params, CertificateAuthority, ClientSubject, StaffId, TotpSecret, Validity,
};
use kiban_domain::ids::{InsuredNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_store::{CardLinkRow, OfficeRow, StaffRow, Store};
use std::fmt::Write as _;
use std::path::Path;

/// The demo password of every account. Synthetic data only: a real deployment creates
/// accounts with their own passwords.
pub const DEMO_PASSWORD: &str = "kiban-demo-2026";
pub const DEMO_PIN: &str = "1234";

const OFFICES: [(&str, &str, &str, &str); 3] = [
    (
        "1370000001",
        "さくら居宅介護支援事業所",
        "home_care_support",
        "43",
    ),
    (
        "1371000002",
        "ひまわり訪問介護ステーション",
        "home_service",
        "11",
    ),
    ("1310000009", "千代田みなと病院", "medical_institution", ""),
];

const STAFF: [(&str, &str, &str, &str, &str); 5] = [
    (
        "cm01",
        "1370000001",
        "office_staff",
        "care_manager",
        "介護支援専門員 佐藤",
    ),
    (
        "hv01",
        "1371000002",
        "office_staff",
        "care_worker",
        "介護職員 鈴木",
    ),
    (
        "dr01",
        "1310000009",
        "medical_staff",
        "physician",
        "医師 高橋",
    ),
    (
        "city01",
        "131011",
        "municipal_staff",
        "clerk",
        "千代田区 介護保険課 田中",
    ),
    ("ops01", "", "operator", "other", "運用者 伊藤"),
];

pub fn seed(
    store: &mut dyn Store,
    data_dir: &Path,
    ca: &CertificateAuthority,
    cards: &kiban_crypto::CardAuthority,
) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut logins = String::new();
    let certs = data_dir.join("certs");
    std::fs::create_dir_all(&certs)?;
    for (number, name, kind, services) in OFFICES {
        store.put_office(&OfficeRow {
            office_number: number.into(),
            name: name.into(),
            office_kind: kind.into(),
            service_kinds: services
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            active: true,
            created_at_ms: now_ms,
        })?;
        let subject = if kind == "medical_institution" {
            ClientSubject::Hospital {
                institution_code: MedicalInstitutionCode::parse(number)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            }
        } else {
            ClientSubject::Office {
                office_number: OfficeNumber::parse(number).map_err(|e| anyhow::anyhow!("{e}"))?,
            }
        };
        client_certificate(ca, &certs, &subject, now)?;
    }
    let _ = writeln!(
        logins,
        "パスワード（全員）/ password (all accounts): {DEMO_PASSWORD}"
    );
    for (id, office, actor_kind, job, display) in STAFF {
        let secret = match store.staff(id)? {
            Some(existing) => existing.totp_secret,
            None => {
                let secret = TotpSecret::random().to_base32().to_string();
                store.insert_staff(&StaffRow {
                    staff_id: id.into(),
                    office_number: office.into(),
                    actor_kind: actor_kind.into(),
                    job: job.into(),
                    display_name: display.into(),
                    password_hash: kiban_crypto::hash_password(
                        DEMO_PASSWORD,
                        &Argon2Params::INTERACTIVE,
                    )?,
                    totp_secret: secret.clone(),
                    totp_last_step: 0,
                    failed_attempts: 0,
                    locked_until_ms: 0,
                    last_failure_ms: 0,
                    active: true,
                })?;
                secret
            }
        };
        // Every account logs in with its device certificate: the office's or institution's,
        // or for municipal staff and operators a staff certificate of their own.
        let stem = if matches!(actor_kind, "municipal_staff" | "operator") {
            let subject = ClientSubject::Staff {
                staff_id: StaffId::parse(id).map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            client_certificate(ca, &certs, &subject, now)?
        } else {
            office.to_string()
        };
        let cert = format!(
            "client certificate {} + {}",
            certs.join(format!("{stem}.pem")).display(),
            certs.join(format!("{stem}-key.pem")).display()
        );
        let _ = writeln!(logins, "{display}: ID {id}, TOTP secret {secret}, {cert}");
    }
    for insured in ["0000100001", super::demo_careplan::PERSON] {
        let card_path = demo_card(store, data_dir, cards, insured, now, now_ms)?;
        let _ = writeln!(
            logins,
            "本人 / citizen: card {} (PIN {DEMO_PIN}), 被保険者番号 {insured}",
            card_path.display()
        );
    }
    super::demo_careplan::seed(store, now_ms)?;
    let _ = writeln!(
        logins,
        "ケアプラン / care plans: {} has an issued plan, a draft to answer at /me/careplans and a LIFE sheet",
        super::demo_careplan::PERSON
    );
    let application = super::demo_certification::seed_application(store, now_ms)?;
    let physician = super::demo_certification::physician_file(data_dir, DEMO_PIN, now)?;
    let _ = writeln!(
        logins,
        "要介護認定の申請 / certification application: {application} (調査・意見書依頼済 / survey and opinion requested)\n\
         医師の電子署名 / physician file for dr01: {} (PIN {DEMO_PIN}); `kiban physician sign --file … --pin {DEMO_PIN} --message-file <意見書.json>`",
        physician.display()
    );
    let path = data_dir.join("demo").join("logins.txt");
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    kiban_crypto::storage::write_secret(&path, logins.as_bytes())?;
    Ok(logins)
}

/// The client certificate of `subject` in `certs` (`<stem>.pem`, `<stem>-key.pem`), issued
/// unless it exists; returns the stem.
fn client_certificate(
    ca: &CertificateAuthority,
    certs: &Path,
    subject: &ClientSubject,
    now: OffsetDateTime,
) -> anyhow::Result<String> {
    let stem = super::ca::file_stem(subject);
    let cert_path = certs.join(format!("{stem}.pem"));
    if !cert_path.exists() {
        let issued = ca
            .issue_client(subject, Validity::days_from(now, 365))
            .context("issuing a demo client certificate")?;
        kiban_crypto::storage::write_secret(
            &certs.join(format!("{stem}-key.pem")),
            issued.key_pem.as_bytes(),
        )?;
        kiban_crypto::storage::write_public(&cert_path, issued.cert_pem.as_bytes())?;
    }
    Ok(stem)
}

/// The card of a demo citizen, issued and linked unless a current one exists. A card of an older
/// file format (kiban-card/1, argon2id) is replaced: the browser login reads only the current one.
fn demo_card(
    store: &mut dyn Store,
    data_dir: &Path,
    cards: &kiban_crypto::CardAuthority,
    insured: &str,
    now: OffsetDateTime,
    now_ms: i64,
) -> anyhow::Result<std::path::PathBuf> {
    let card_path = data_dir.join("cards").join(format!("{insured}.card.json"));
    if kiban_crypto::CardFile::load(&card_path).is_err() {
        std::fs::create_dir_all(data_dir.join("cards"))?;
        let pin = kiban_crypto::Pin::parse(DEMO_PIN)?;
        let number = InsuredNumber::parse(insured).map_err(|e| anyhow::anyhow!("{e}"))?;
        let issued = cards.issue_card(number, &pin, Validity::days_from(now, 3650))?;
        issued.card.save(&card_path)?;
        store.link_card(&CardLinkRow {
            fingerprint: issued.link.fingerprint.to_string(),
            insurer: "131011".into(),
            insured: insured.into(),
            linked_at_ms: now_ms,
            linked_by: "demo".into(),
            unlinked_at_ms: None,
        })?;
    }
    Ok(card_path)
}

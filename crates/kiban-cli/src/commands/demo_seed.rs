//! The synthetic actors of `kiban demo`: two offices and a hospital with client certificates,
//! one account per role with a TOTP secret (the municipal and operator accounts with a staff
//! certificate of their own, their device factor: docs/staff-login.md), cards for two persons, the first person's
//! 要介護認定 application with the 主治医意見書作成依頼 to the hospital
//! (`demo_certification.rs`), and the second person's care plans (`demo_careplan.rs`). Everything is synthetic
//! and written under the data directory; the logins are printed once and saved (mode 0600) in
//! `<data-dir>/demo/logins.txt`. Running the demo again keeps what exists.

use anyhow::Context;
use kiban_app::access::Caller;
use kiban_app::cards::LinkOutcome;
use kiban_app::demo::{DEMO_PASSWORD, OFFICES};
use kiban_app::Connection;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{CertificateAuthority, ClientSubject, StaffId, Validity};
use kiban_domain::access::{Actor, PersonRef, Purpose, Timestamp};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use std::fmt::Write as _;
use std::path::Path;

pub const DEMO_PIN: &str = "1234";

pub fn seed(
    conn: &mut Connection,
    data_dir: &Path,
    ca: &CertificateAuthority,
    cards: &kiban_crypto::CardAuthority,
) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut logins = String::new();
    let certs = data_dir.join("certs");
    std::fs::create_dir_all(&certs)?;
    kiban_app::demo::register_offices(conn, now_ms)?;
    for office in OFFICES {
        let subject = if office.is_medical() {
            ClientSubject::Hospital {
                institution_code: MedicalInstitutionCode::parse(office.number)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            }
        } else {
            ClientSubject::Office {
                office_number: OfficeNumber::parse(office.number)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            }
        };
        client_certificate(ca, &certs, &subject, now)?;
    }
    let _ = writeln!(
        logins,
        "パスワード（全員）/ password (all accounts): {DEMO_PASSWORD}"
    );
    for (staff, secret) in kiban_app::demo::register_staff(conn)? {
        let id = staff.id;
        // Every account logs in with its device certificate: the office's or institution's,
        // or for municipal staff and operators a staff certificate of their own.
        let stem = if staff.has_own_certificate() {
            let subject = ClientSubject::Staff {
                staff_id: StaffId::parse(id).map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            client_certificate(ca, &certs, &subject, now)?
        } else {
            staff.office.to_string()
        };
        let cert = format!(
            "client certificate {} + {}",
            certs.join(format!("{stem}.pem")).display(),
            certs.join(format!("{stem}-key.pem")).display()
        );
        let display = staff.display;
        let _ = writeln!(logins, "{display}: ID {id}, TOTP secret {secret}, {cert}");
    }
    for insured in ["0000100001", super::demo_careplan::PERSON] {
        let card_path = demo_card(conn, data_dir, cards, insured, now, now_ms)?;
        let _ = writeln!(
            logins,
            "本人 / citizen: card {} (PIN {DEMO_PIN}), 被保険者番号 {insured}",
            card_path.display()
        );
    }
    super::demo_careplan::seed(conn, now_ms)?;
    let _ = writeln!(
        logins,
        "ケアプラン / care plans: {} has an issued plan, a draft to answer at /me/careplans and a LIFE sheet",
        super::demo_careplan::PERSON
    );
    let application = super::demo_certification::seed_application(conn, now_ms)?;
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
    conn: &mut Connection,
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
        // The municipality links the card: a 資格情報 write under 資格管理, decided and audited
        // as `kiban card issue` does it.
        let insurer = InsurerNumber::parse("131011").map_err(|e| anyhow::anyhow!("{e}"))?;
        let clerk = Caller {
            actor: Actor::MunicipalStaff {
                insurer,
                purpose: Purpose::QualificationAdmin,
            },
            account: "demo".into(),
        };
        let person = PersonRef {
            insurer,
            insured: number,
        };
        let fingerprint = issued.link.fingerprint.to_string();
        let at = Timestamp::from_millis(now_ms);
        match kiban_app::cards::link_card(conn, &clerk, person, &fingerprint, at)? {
            LinkOutcome::Linked => {}
            refused => anyhow::bail!("the demo card of {insured} was not linked: {refused:?}"),
        }
    }
    Ok(card_path)
}

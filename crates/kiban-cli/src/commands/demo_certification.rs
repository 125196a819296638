//! The demo's 要介護認定: one application of the demo person, filed by the municipal clerk with
//! the application-time consent and the 計画作成依頼届出 naming the demo care-plan office, with
//! the 認定調査 and the 主治医意見書 requested from the demo hospital (which opens the hospital's
//! view, `/office/requests`), and a physician file for the hospital's doctor so the opinion can
//! be signed (`kiban physician sign`) and submitted through the API. All through the same use
//! cases as the API, so decided and audited.

use kiban_app::access::{Caller, Outcome};
use kiban_app::certification::{self as cert, NewApplication, Step};
use kiban_app::Connection;
use kiban_crypto::physician::PhysicianAuthority;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{PhysicianId, Pin, Validity};
use kiban_domain::access::{Actor, PersonRef, Purpose, Timestamp};
use kiban_domain::certification::{Applicant, ApplicationKind};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use std::path::{Path, PathBuf};

const HOSPITAL: &str = "1310000009";
const CARE_OFFICE: &str = "1370000001";
const PHYSICIAN_ID: &str = "123456";

/// Files the demo application unless the person already has one; returns its id.
pub fn seed_application(conn: &mut Connection, now_ms: i64) -> anyhow::Result<i64> {
    let parse = |e: kiban_domain::ids::IdError| anyhow::anyhow!("{e}");
    let insurer = InsurerNumber::parse("131011").map_err(parse)?;
    let person = PersonRef {
        insurer,
        insured: InsuredNumber::parse("0000100001").map_err(parse)?,
    };
    let clerk = Caller {
        actor: Actor::MunicipalStaff {
            insurer,
            purpose: Purpose::CertificationAffairs,
        },
        account: "city01".into(),
    };
    let at = Timestamp::from_millis(now_ms);
    // The clerk's read of the person's applications (decided and audited), newest first.
    if let Some(existing) = allowed(cert::applications_of(conn, &clerk, person, at)?)?.first() {
        return Ok(existing.id);
    }
    let office = OfficeNumber::parse(CARE_OFFICE).map_err(parse)?;
    let new = NewApplication {
        person,
        kind: if certified(conn, &clerk, person, at)? {
            ApplicationKind::LevelChange
        } else {
            ApplicationKind::New
        },
        applicant: Applicant::Office,
        proxy_office: Some(office),
        applied_on: at.jst_date(),
        share_with_care_manager: true,
        care_plan_office: Some((office, "さくら居宅介護支援事業所".into())),
    };
    let id = allowed(cert::file(conn, &clerk, new, at)?)?.id;
    let hospital = MedicalInstitutionCode::parse(HOSPITAL).map_err(parse)?;
    for step in [Step::RequestSurvey, Step::RequestOpinion(hospital)] {
        allowed(cert::record_step(conn, &clerk, id, step, at)?)?;
    }
    Ok(id)
}

/// Whether the person's card in force shows a certification (then the demo asks for a 区分変更,
/// otherwise for a 新規 certification): the clerk's read of the 資格確認 summary, decided and
/// audited.
fn certified(
    conn: &mut Connection,
    clerk: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> anyhow::Result<bool> {
    use kiban_domain::records::RecordBody;
    let summary = allowed(kiban_app::qualification::read_summary(
        conn, clerk, person, at,
    )?)?;
    Ok(summary.insured_card.is_some_and(
        |v| matches!(&v.body, RecordBody::InsuredCard(c) if c.certification.is_some()),
    ))
}

fn allowed<T>(outcome: Outcome<T>) -> anyhow::Result<T> {
    match outcome {
        Outcome::Allowed(t) => Ok(t),
        Outcome::Denied(d) => anyhow::bail!("the demo application was refused: {}", d.reason),
    }
}

/// The hospital doctor's physician file (PIN `pin`), issued under the data directory's
/// physician root unless it exists.
pub fn physician_file(data_dir: &Path, pin: &str, now: OffsetDateTime) -> anyhow::Result<PathBuf> {
    let path = data_dir
        .join("physicians")
        .join(format!("{HOSPITAL}-{PHYSICIAN_ID}.physician.json"));
    if kiban_crypto::PhysicianFile::load(&path).is_ok() {
        return Ok(path);
    }
    let root_dir = super::physician::physician_root_dir(data_dir);
    let (authority, _) = PhysicianAuthority::load_or_init(&root_dir, now)?;
    let issued = authority.issue(
        MedicalInstitutionCode::parse(HOSPITAL).map_err(|e| anyhow::anyhow!("{e}"))?,
        &PhysicianId::parse(PHYSICIAN_ID)?,
        &Pin::parse(pin)?,
        Validity::days_from(now, 730),
    )?;
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    issued.file.save(&path)?;
    Ok(path)
}

//! The synthetic actors of `kiban demo`: two offices and a hospital, and one staff account per
//! role. Registering them writes no person's data, so it is no use case of the policy; it is
//! here so that the CLI reaches the store only through this crate, and only for this fixed,
//! synthetic set. Everything the demo does to a person (cards, contracts, plans, the
//! 要介護認定 application) goes through the ordinary use cases, decided and audited.

use crate::{Connection, Result};
use kiban_domain::access::{Job, OfficeKind, Party, StaffKind, Workplace};
use kiban_domain::codes::ServiceKind;
use kiban_store::{OfficeRow, StaffRow};

/// The demo password of every account. Synthetic data only: a real deployment creates
/// accounts with their own passwords.
pub const DEMO_PASSWORD: &str = "kiban-demo-2026";

/// A demo office or medical institution.
#[derive(Debug, Clone, Copy)]
pub struct DemoOffice {
    /// 事業所番号 or 医療機関コード.
    pub number: &'static str,
    pub name: &'static str,
    pub kind: OfficeKind,
    /// サービス種類コード, `;`-separated.
    pub services: &'static str,
}

impl DemoOffice {
    pub fn is_medical(&self) -> bool {
        self.kind == OfficeKind::MedicalInstitution
    }
}

pub const OFFICES: [DemoOffice; 3] = [
    DemoOffice {
        number: "1370000001",
        name: "さくら居宅介護支援事業所",
        kind: OfficeKind::HomeCareSupport,
        services: "43",
    },
    DemoOffice {
        number: "1371000002",
        name: "ひまわり訪問介護ステーション",
        kind: OfficeKind::HomeService,
        services: "11",
    },
    DemoOffice {
        number: "1310000009",
        name: "千代田みなと病院",
        kind: OfficeKind::MedicalInstitution,
        services: "",
    },
];

/// A demo staff account.
#[derive(Debug, Clone, Copy)]
pub struct DemoStaff {
    pub id: &'static str,
    /// 事業所番号, 医療機関コード or 保険者番号 (empty for the operator).
    pub office: &'static str,
    pub actor_kind: StaffKind,
    pub job: Job,
    pub display: &'static str,
}

impl DemoStaff {
    /// Municipal staff and operators log in with a staff certificate of their own; everyone
    /// else with their office's or institution's.
    pub fn has_own_certificate(&self) -> bool {
        matches!(
            self.actor_kind,
            StaffKind::MunicipalStaff | StaffKind::Operator
        )
    }
}

pub const STAFF: [DemoStaff; 5] = [
    DemoStaff {
        id: "cm01",
        office: "1370000001",
        actor_kind: StaffKind::OfficeStaff,
        job: Job::CareManager,
        display: "介護支援専門員 佐藤",
    },
    DemoStaff {
        id: "hv01",
        office: "1371000002",
        actor_kind: StaffKind::OfficeStaff,
        job: Job::CareWorker,
        display: "介護職員 鈴木",
    },
    DemoStaff {
        id: "dr01",
        office: "1310000009",
        actor_kind: StaffKind::MedicalStaff,
        job: Job::Physician,
        display: "医師 高橋",
    },
    DemoStaff {
        id: "city01",
        office: "131011",
        actor_kind: StaffKind::MunicipalStaff,
        job: Job::Clerk,
        display: "千代田区 介護保険課 田中",
    },
    DemoStaff {
        id: "ops01",
        office: "",
        actor_kind: StaffKind::Operator,
        job: Job::Other,
        display: "運用者 伊藤",
    },
];

/// Registers (or re-registers, active) the demo's offices and institution.
pub fn register_offices(conn: &mut Connection, now_ms: i64) -> Result<()> {
    for office in OFFICES {
        conn.store().put_office(&OfficeRow {
            office_number: Party::of_office(office.kind, office.number)
                .expect("a demo office's number is its kind's"),
            name: office.name.into(),
            office_kind: office.kind,
            service_kinds: office
                .services
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|code| ServiceKind::from_code(code).expect("a demo サービス種類コード"))
                .collect(),
            active: true,
            created_at_ms: now_ms,
        })?;
    }
    Ok(())
}

/// Creates each demo account with [`DEMO_PASSWORD`] and a new TOTP secret unless it exists;
/// returns every account of [`STAFF`] with its TOTP secret (base32), to print with the demo's
/// logins.
pub fn register_staff(conn: &mut Connection) -> Result<Vec<(DemoStaff, String)>> {
    let store = conn.store();
    let mut accounts = Vec::with_capacity(STAFF.len());
    for staff in STAFF {
        let secret = match store.staff(staff.id)? {
            Some(existing) => existing.totp_secret,
            None => {
                let secret = kiban_crypto::TotpSecret::random().to_base32().to_string();
                let password_hash = kiban_crypto::hash_password(
                    DEMO_PASSWORD,
                    &kiban_crypto::Argon2Params::INTERACTIVE,
                )
                .map_err(|e| std::io::Error::other(e.to_string()))?;
                store.insert_staff(&StaffRow {
                    staff_id: staff.id.into(),
                    workplace: Workplace::parse(staff.actor_kind, staff.office)
                        .expect("a demo account's number is its kind's"),
                    job: staff.job,
                    display_name: staff.display.into(),
                    password_hash,
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
        accounts.push((staff, secret));
    }
    Ok(accounts)
}

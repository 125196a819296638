//! Policy tests. Fixtures live here; `consent and time` tests below; actors in `actors`, the
//! two national exceptions in `exceptions`, counts over a 保険者 in `aggregate`, the exhaustive
//! sweeps against the independent `oracle` in `exhaustive`, the table's shape and the docs
//! check in `shape`.

mod actors;
mod aggregate;
mod exceptions;
mod exhaustive;
mod oracle;
mod shape;

use super::*;
use crate::records::CarePlanAuthor;

pub(super) fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

pub(super) const HOUR: i64 = 3_600_000;
pub(super) const DAY: i64 = 24 * HOUR;

/// 2026-10-15 12:00 JST.
pub(super) fn now() -> Timestamp {
    Timestamp::jst_start_of(d("20261015")).plus_millis(12 * HOUR)
}

pub(super) fn person() -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::parse("0000000001").unwrap(),
    }
}

pub(super) fn other_insurer() -> InsurerNumber {
    InsurerNumber::from_body("13102").unwrap()
}

pub(super) fn office() -> OfficeNumber {
    OfficeNumber::parse("1370000001").unwrap()
}

pub(super) fn other_office() -> OfficeNumber {
    OfficeNumber::parse("1370000002").unwrap()
}

pub(super) fn hospital() -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse("1312345678").unwrap()
}

pub(super) fn other_hospital() -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse("1312345679").unwrap()
}

pub(super) fn staff(kind: OfficeKind, job: Job) -> Actor {
    Actor::OfficeStaff {
        office: office(),
        kind,
        job,
    }
}

pub(super) fn doctor(job: Job) -> Actor {
    Actor::MedicalStaff {
        institution: hospital(),
        job,
    }
}

pub(super) fn consent(holder: Party, category: ConsentCategory) -> Consent {
    Consent {
        holder,
        category,
        method: ConsentMethod::Card,
        granted_at: now().plus_millis(-10 * DAY),
        valid_until: None,
        revoked_at: None,
    }
}

pub(super) fn all_consents(holder: Party) -> Vec<Consent> {
    ConsentCategory::ALL
        .iter()
        .map(|&c| consent(holder, c))
        .collect()
}

pub(super) fn serving(office: OfficeNumber) -> Serving {
    Serving {
        office,
        from: d("20260901"),
        until: None,
    }
}

pub(super) fn open_request(addressee: Party) -> OpinionRequest {
    OpinionRequest {
        addressee,
        sent_at: now().plus_millis(-DAY),
        closed_at: None,
    }
}

pub(super) fn author(office: OfficeNumber) -> CarePlanAuthor {
    CarePlanAuthor::Office {
        office,
        name: "テスト居宅介護支援事業所".into(),
        notified_on: d("20260901"),
    }
}

pub(super) fn ev<'a>(
    consents: &'a [Consent],
    servings: &'a [Serving],
    opinion_requests: &'a [OpinionRequest],
) -> Evidence<'a> {
    Evidence {
        consents,
        servings,
        opinion_requests,
        ..Evidence::default()
    }
}

pub(super) fn ask(actor: Actor, action: Action, category: Category, ev: Evidence<'_>) -> Decision {
    ask_at(actor, action, category, now(), ev)
}

pub(super) fn ask_at(
    actor: Actor,
    action: Action,
    category: Category,
    at: Timestamp,
    ev: Evidence<'_>,
) -> Decision {
    decide(&AccessRequest {
        actor,
        action,
        category,
        person: person(),
        at,
        evidence: ev,
    })
}

/// Everything granted to `office()` and `hospital()`: only the actor and the matrix can deny.
pub(super) struct Full {
    consents: Vec<Consent>,
    servings: Vec<Serving>,
    requests: Vec<OpinionRequest>,
    author: CarePlanAuthor,
}

impl Full {
    pub(super) fn new() -> Self {
        let mut consents = all_consents(Party::Office(office()));
        consents.extend(all_consents(Party::Medical(hospital())));
        Self {
            consents,
            servings: vec![serving(office())],
            requests: vec![
                open_request(Party::Office(office())),
                open_request(Party::Medical(hospital())),
            ],
            author: author(office()),
        }
    }
    pub(super) fn evidence(&self) -> Evidence<'_> {
        Evidence {
            consents: &self.consents,
            servings: &self.servings,
            opinion_requests: &self.requests,
            care_plan_author: Some(&self.author),
            application_consent: true,
            identity: Some(&ConsentMethod::Card),
        }
    }
}

pub(super) fn care_manager() -> Actor {
    staff(OfficeKind::HomeCareSupport, Job::CareManager)
}

#[test]
fn revoked_consent_is_denied_at_the_very_instant_of_revocation() {
    let t = now();
    let mut c = consent(Party::Office(office()), ConsentCategory::CarePlan);
    c.revoked_at = Some(t);
    let (consents, servings) = (vec![c], vec![serving(office())]);
    let ev = Evidence {
        consents: &consents,
        servings: &servings,
        ..Evidence::default()
    };
    let at = |ms| {
        ask_at(
            care_manager(),
            Action::Read,
            Category::CarePlan,
            t.plus_millis(ms),
            ev,
        )
    };
    assert_eq!(at(-1).reason(), Reason::Consented, "one millisecond before");
    assert_eq!(
        at(0).reason(),
        Reason::ConsentRevoked,
        "the instant of revocation"
    );
    assert_eq!(at(1).reason(), Reason::ConsentRevoked);
    assert!(!at(0).allowed());
}

#[test]
fn a_new_consent_after_a_revocation_allows_again() {
    let holder = Party::Office(office());
    let mut old = consent(holder, ConsentCategory::Life);
    old.revoked_at = Some(now().plus_millis(-2 * DAY));
    let mut new = consent(holder, ConsentCategory::Life);
    new.granted_at = now().plus_millis(-DAY);
    let servings = vec![serving(office())];
    for consents in [vec![old.clone(), new.clone()], vec![new, old]] {
        let ev = Evidence {
            consents: &consents,
            servings: &servings,
            ..Evidence::default()
        };
        assert_eq!(
            ask(care_manager(), Action::Read, Category::Life, ev).reason(),
            Reason::Consented
        );
    }
}

#[test]
fn consent_end_date_and_serving_end_are_inclusive_jst_days() {
    let mut c = consent(Party::Office(office()), ConsentCategory::Qualification);
    c.valid_until = Some(d("20261015"));
    let consents = vec![c];
    let servings = vec![Serving {
        office: office(),
        from: d("20260901"),
        until: Some(d("20261015")),
    }];
    let ev = Evidence {
        consents: &consents,
        servings: &servings,
        ..Evidence::default()
    };
    let midnight = Timestamp::jst_start_of(d("20261016"));
    let at = |t| ask_at(care_manager(), Action::Read, Category::Qualification, t, ev).reason();
    assert_eq!(
        at(midnight.plus_millis(-1)),
        Reason::Consented,
        "23:59:59.999 JST on the last day"
    );
    assert_eq!(
        at(midnight),
        Reason::ServingEnded,
        "serving is checked before consent"
    );
    let open = vec![serving(office())];
    let ev = Evidence {
        servings: &open,
        ..ev
    };
    let r = ask_at(
        care_manager(),
        Action::Read,
        Category::Qualification,
        midnight,
        ev,
    );
    assert_eq!(r.reason(), Reason::ConsentExpired);
    let later = vec![Serving {
        office: office(),
        from: d("20261101"),
        until: None,
    }];
    let ev = Evidence {
        servings: &later,
        ..ev
    };
    assert_eq!(
        ask(care_manager(), Action::Read, Category::Qualification, ev).reason(),
        Reason::NotServing
    );
}

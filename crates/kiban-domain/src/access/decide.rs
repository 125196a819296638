//! [`decide`]: the one function every access goes through.

use super::consent::{consent_state, serving_state, ConsentState, ServingState};
use super::matrix::{self, Grant, Row};
use super::{
    Action, Actor, Category, Consent, ConsentMethod, Decision, Job, OfficeKind, OpinionRequest,
    Party, PersonRef, Purpose, Reason, Serving, Timestamp,
};
use crate::ids::InsurerNumber;
use crate::records::CarePlanAuthor;

/// One access to decide.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    pub actor: Actor,
    pub action: Action,
    pub category: Category,
    pub person: PersonRef,
    /// The instant of the request; its JST date is "today" for every day-based rule.
    pub at: Timestamp,
    pub evidence: Evidence<'a>,
}

/// What the caller knows about the person. Records of other offices may be included: only the
/// acting office's own records count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    pub consents: &'a [Consent],
    pub servings: &'a [Serving],
    pub opinion_requests: &'a [OpinionRequest],
    /// 居宅サービス計画作成依頼届出 on the person's current 被保険者証.
    pub care_plan_author: Option<&'a CarePlanAuthor>,
    /// The certification application carried the person's consent to share 要介護認定情報 with
    /// the office named in the 計画作成依頼届出.
    pub application_consent: bool,
    /// How the person, present at this request, proved identity (for [`Action::Enrol`]).
    pub identity: Option<&'a ConsentMethod>,
}

/// Decides one access. Pure and total: every input yields a decision with a reason.
pub fn decide(req: &AccessRequest<'_>) -> Decision {
    Decision::from(reason_for(req))
}

/// A request for figures aggregated over every insured person of one 保険者 (counts such as
/// `kiban stats`): no person is named, so there is no evidence to weigh.
#[derive(Debug, Clone, Copy)]
pub struct AggregateRequest {
    pub actor: Actor,
    pub insurer: InsurerNumber,
    /// The category the figures are computed from.
    pub category: Category,
}

/// Decides an aggregate read. Counts are derived from every person's data, so only the
/// 保険者's own staff may compute them, and only under a purpose whose matrix row may read the
/// category: the same row as a read of any one of those persons, never a wider one.
pub fn decide_aggregate(req: &AggregateRequest) -> Decision {
    Decision::from(match req.actor {
        Actor::PlatformOperator => Reason::OperatorNoPersonalData,
        // Figures about other people are not the person's own data.
        Actor::Citizen { .. } => Reason::NotSelf,
        Actor::MunicipalStaff { insurer, .. } if insurer != req.insurer => Reason::OtherInsurer,
        Actor::MunicipalStaff { purpose, .. } => {
            match matrix::cell(Row::Municipal(purpose), req.category).read {
                Grant::Duty => Reason::MunicipalAggregate,
                _ => Reason::CategoryNotPermittedForPurpose,
            }
        }
        // Offices see the persons they serve, one at a time; a 保険者's totals are not theirs.
        Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. } => {
            Reason::CategoryNotPermittedForOfficeKind
        }
    })
}

fn reason_for(req: &AccessRequest<'_>) -> Reason {
    match req.actor {
        Actor::PlatformOperator => Reason::OperatorNoPersonalData,
        Actor::Citizen { person } => citizen(req, person),
        Actor::MunicipalStaff { insurer, purpose } => {
            if insurer != req.person.insurer {
                Reason::OtherInsurer
            } else {
                municipal(req, purpose)
            }
        }
        Actor::OfficeStaff { office, kind, job } => staff(req, Party::Office(office), kind, job),
        Actor::MedicalStaff { institution, job } => staff(
            req,
            Party::Medical(institution),
            OfficeKind::MedicalInstitution,
            job,
        ),
    }
}

fn citizen(req: &AccessRequest<'_>, person: PersonRef) -> Reason {
    if person != req.person {
        return Reason::NotSelf;
    }
    if req.action == Action::Enrol {
        // The person grants or revokes their own consents from the portal.
        return Reason::SelfAccess;
    }
    let cell = matrix::cell(Row::Citizen, req.category);
    match cell.grant(req.action) {
        Grant::Own => Reason::SelfAccess,
        _ if req.action == Action::Write && cell.read != Grant::No => Reason::WriteNotPermitted,
        _ => Reason::CategoryNotPermittedForCitizen,
    }
}

fn municipal(req: &AccessRequest<'_>, purpose: Purpose) -> Reason {
    if req.action == Action::Enrol {
        return Reason::ConsentObtainedByOffice;
    }
    let cell = matrix::cell(Row::Municipal(purpose), req.category);
    match cell.grant(req.action) {
        Grant::Duty => Reason::MunicipalDuty,
        _ if req.action == Action::Write && cell.read != Grant::No => Reason::WriteNotPermitted,
        _ => Reason::CategoryNotPermittedForPurpose,
    }
}

fn staff(req: &AccessRequest<'_>, party: Party, kind: OfficeKind, job: Job) -> Reason {
    let ev = &req.evidence;
    if req.action == Action::Enrol {
        // Consent and the serving relationship are the person's act: any staff member may
        // record them, but only with the person's identity proven at this very request.
        return match ev.identity {
            Some(m) if m.proves_identity() => Reason::IdentityVerified,
            _ => Reason::IdentityNotVerified,
        };
    }
    let grant = matrix::cell(Row::Staff(kind, job), req.category).grant(req.action);
    let medical = kind == OfficeKind::MedicalInstitution;
    let request_open = || {
        ev.opinion_requests
            .iter()
            .any(|r| r.is_open_for(party, req.at))
    };
    match grant {
        Grant::Consent | Grant::ConsentOrApplication => {}
        Grant::OpinionRequest if request_open() => return Reason::OpinionRequest,
        Grant::OpinionRequest => return Reason::NoOpinionRequest,
        // Duty and Own never appear in staff rows (a test checks the table).
        Grant::No | Grant::Duty | Grant::Own => {
            return staff_denial(kind, req.category, req.action)
        }
    }

    // The link: a medical institution is linked by the 意見書依頼, an office by serving.
    let today = req.at.jst_date();
    match party {
        _ if medical => {
            if !request_open() {
                return Reason::NoOpinionRequest;
            }
        }
        Party::Office(office) => match serving_state(ev.servings, office, today) {
            ServingState::Active => {}
            ServingState::Ended => return Reason::ServingEnded,
            ServingState::None => return Reason::NotServing,
        },
        // MedicalStaff always takes the medical row; deny rather than trust an impossible pair.
        Party::Medical(_) => return Reason::NotServing,
    }

    match consent_state(ev.consents, party, req.category.consent_category(), req.at) {
        ConsentState::Granted => Reason::Consented,
        // Only the absence of any record falls back: an explicit revocation or end date is
        // the person's latest word to this office and outranks the application consent.
        ConsentState::Missing
            if grant == Grant::ConsentOrApplication
                && application_consent_applies(ev, party, req) =>
        {
            Reason::ApplicationConsent
        }
        ConsentState::Missing => Reason::ConsentMissing,
        ConsentState::Revoked => Reason::ConsentRevoked,
        ConsentState::Expired => Reason::ConsentExpired,
    }
}

/// The application consent reaches only the office on the card's 計画作成依頼届出.
fn application_consent_applies(ev: &Evidence<'_>, party: Party, req: &AccessRequest<'_>) -> bool {
    match (ev.care_plan_author, party) {
        (
            Some(CarePlanAuthor::Office {
                office,
                notified_on,
                ..
            }),
            Party::Office(acting),
        ) => ev.application_consent && *office == acting && *notified_on <= req.at.jst_date(),
        _ => false,
    }
}

/// The most specific static denial: another job of this kind could do it (job), the category
/// is readable here but not writable (write), or nobody here may (office kind).
fn staff_denial(kind: OfficeKind, category: Category, action: Action) -> Reason {
    let any_job = |action: Action| {
        Job::ALL
            .iter()
            .any(|&j| matrix::cell(Row::Staff(kind, j), category).grant(action) != Grant::No)
    };
    if any_job(action) {
        Reason::JobNotPermitted
    } else if action == Action::Write && any_job(Action::Read) {
        Reason::WriteNotPermitted
    } else {
        Reason::CategoryNotPermittedForOfficeKind
    }
}

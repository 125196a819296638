//! The oracle: the permissions restated as rules from the sharing table (not read from
//! `MATRIX`), and the expected reason computed from the cases that built the evidence (not by
//! re-evaluating the records).

use super::super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Basis {
    No,
    Consent,
    ConsentOrApplication,
    Request,
}

/// Staff who write the person's care plan: seed ※1 counts them with 居宅介護支援.
pub(super) fn plans_care(kind: OfficeKind, job: Job) -> bool {
    use OfficeKind::*;
    match kind {
        HomeCareSupport | CommunityBased | FacilityWelfare | FacilityHealth | FacilityMedical => {
            job == Job::CareManager
        }
        // 介護予防支援の担当職員: 介護支援専門員, 保健師・看護師, 社会福祉士.
        PreventiveCareSupport => matches!(job, Job::CareManager | Job::Nurse | Job::Counselor),
        HomeService | MedicalInstitution => false,
    }
}

/// Plan authors who can be named in a 計画作成依頼届出 (居宅 plans, not 施設 plans).
pub(super) fn plans_home_care(kind: OfficeKind, job: Job) -> bool {
    use OfficeKind::*;
    plans_care(kind, job)
        && matches!(
            kind,
            HomeCareSupport | PreventiveCareSupport | CommunityBased
        )
}

pub(super) fn clinical(job: Job) -> bool {
    matches!(job, Job::Physician | Job::Nurse)
}

pub(super) fn oracle_read(kind: OfficeKind, job: Job, category: Category) -> Basis {
    use Category::*;
    if category == Qualification {
        return Basis::Consent; // every staff member of every office kind
    }
    if kind == OfficeKind::MedicalInstitution {
        let seen = clinical(job) && category != HousingEquipment;
        return if seen { Basis::Consent } else { Basis::No };
    }
    let ok = |b: bool| if b { Basis::Consent } else { Basis::No };
    match category {
        Qualification => unreachable!(),
        CertificationSurvey | PhysicianOpinion if plans_home_care(kind, job) => {
            Basis::ConsentOrApplication
        }
        CertificationSurvey => ok(plans_care(kind, job)),
        PhysicianOpinion => ok(plans_care(kind, job)
            || (matches!(
                kind,
                OfficeKind::FacilityHealth | OfficeKind::FacilityMedical
            ) && clinical(job))),
        CarePlan | Life => {
            let support = matches!(
                kind,
                OfficeKind::HomeCareSupport | OfficeKind::PreventiveCareSupport
            );
            let provider = !support && !matches!(job, Job::Clerk | Job::Other);
            ok(plans_care(kind, job) || provider)
        }
        HousingEquipment => ok(plans_home_care(kind, job)),
    }
}

pub(super) fn oracle_write(kind: OfficeKind, job: Job, category: Category) -> Basis {
    use OfficeKind::*;
    match category {
        Category::CarePlan if plans_care(kind, job) => Basis::Consent,
        // Service offices send 実績 (a ケアプラン write) and LIFE feedback for those they serve.
        Category::CarePlan
            if matches!(kind, HomeService | CommunityBased)
                && !matches!(job, Job::Clerk | Job::Other) =>
        {
            Basis::Consent
        }
        Category::Life
            if matches!(
                kind,
                HomeService | CommunityBased | FacilityWelfare | FacilityHealth | FacilityMedical
            ) && !matches!(job, Job::Clerk | Job::Other) =>
        {
            Basis::Consent
        }
        Category::PhysicianOpinion
            if job == Job::Physician
                && matches!(kind, MedicalInstitution | FacilityHealth | FacilityMedical) =>
        {
            Basis::Request
        }
        _ => Basis::No,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ConsentCase {
    Never,
    Granted,
    EndDatePassed,
    RevokedBefore,
    RevokedAfterNow,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ServingCase {
    None,
    Active,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum RequestCase {
    None,
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum AuthorCase {
    ThisOfficeWithApplicationConsent,
    ThisOfficeWithout,
    OtherOffice,
    SelfMade,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum IdentityCase {
    None,
    Card,
    Paper,
    PaperWithoutWitness,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Case {
    pub(super) consent: ConsentCase,
    pub(super) serving: ServingCase,
    pub(super) request: RequestCase,
    pub(super) author: AuthorCase,
    pub(super) identity: IdentityCase,
}

pub(super) fn expected(
    kind: OfficeKind,
    job: Job,
    category: Category,
    action: Action,
    case: Case,
) -> Reason {
    if action == Action::Enrol {
        return match case.identity {
            IdentityCase::Card | IdentityCase::Paper => Reason::IdentityVerified,
            IdentityCase::None | IdentityCase::PaperWithoutWitness => Reason::IdentityNotVerified,
        };
    }
    let basis_of = |a: Action, j: Job| match a {
        Action::Write => oracle_write(kind, j, category),
        _ => oracle_read(kind, j, category),
    };
    let basis = basis_of(action, job);
    if basis == Basis::No {
        return if Job::ALL.iter().any(|&j| basis_of(action, j) != Basis::No) {
            Reason::JobNotPermitted
        } else if action == Action::Write
            && Job::ALL
                .iter()
                .any(|&j| basis_of(Action::Read, j) != Basis::No)
        {
            Reason::WriteNotPermitted
        } else {
            Reason::CategoryNotPermittedForOfficeKind
        };
    }
    if basis == Basis::Request {
        return if case.request == RequestCase::Open {
            Reason::OpinionRequest
        } else {
            Reason::NoOpinionRequest
        };
    }
    if kind == OfficeKind::MedicalInstitution {
        if case.request != RequestCase::Open {
            return Reason::NoOpinionRequest;
        }
    } else {
        match case.serving {
            ServingCase::None => return Reason::NotServing,
            ServingCase::Ended => return Reason::ServingEnded,
            ServingCase::Active => {}
        }
    }
    match case.consent {
        ConsentCase::Granted | ConsentCase::RevokedAfterNow => Reason::Consented,
        ConsentCase::EndDatePassed => Reason::ConsentExpired,
        ConsentCase::RevokedBefore => Reason::ConsentRevoked,
        ConsentCase::Never
            if basis == Basis::ConsentOrApplication
                && case.author == AuthorCase::ThisOfficeWithApplicationConsent =>
        {
            Reason::ApplicationConsent
        }
        ConsentCase::Never => Reason::ConsentMissing,
    }
}

pub(super) fn citizen_sees(category: Category) -> bool {
    !matches!(
        category,
        Category::CertificationSurvey | Category::PhysicianOpinion
    )
}

pub(super) fn municipal_reads(purpose: Purpose, category: Category) -> bool {
    use Category::*;
    match purpose {
        Purpose::Review => matches!(category, Qualification | CarePlan | HousingEquipment),
        Purpose::Guidance => matches!(category, Qualification | CarePlan | Life),
        Purpose::CertificationAffairs => {
            matches!(
                category,
                Qualification | CertificationSurvey | PhysicianOpinion
            )
        }
        Purpose::QualificationAdmin => matches!(category, Qualification | HousingEquipment),
        Purpose::PersonRequest => true,
    }
}

pub(super) fn municipal_writes(purpose: Purpose, category: Category) -> bool {
    use Category::*;
    matches!(
        (purpose, category),
        (
            Purpose::CertificationAffairs,
            CertificationSurvey | PhysicianOpinion
        ) | (
            Purpose::QualificationAdmin,
            Qualification | HousingEquipment
        )
    )
}

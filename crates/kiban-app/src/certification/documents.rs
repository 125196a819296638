//! The documents of an application, each checked by the domain before its step is recorded:
//! the 認定調査票 (every answer against its item's allowed values), the signed 主治医意見書
//! (physician certificate from its own trust root; versions kept), the 一次判定 of the
//! municipality's software (checked, never computed), and the 審査会's result, whose 認定
//! writes the next 被保険者証 version with the level, period and 区分支給限度基準額.

use super::steps::transition;
use super::ApplicationView;
use super::{log_write, not_found, person_of, progress_of, refused, step_row, to_json, view};
use crate::access::{decide_only, Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{PhysicianSignature, RevocationList, TrustAnchor};
use kiban_domain::access::{Action, Actor, Category, Timestamp};
use kiban_domain::certification::{
    check_committee, check_primary_judgment, validate_survey, CommitteeResult, Event,
    PrimaryJudgment, Progress, StepKind, Survey,
};
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;
use kiban_domain::records::{current_as_of, CertificationOnCard, RecordBody, RecordKind};
use kiban_store::{CommitteeRow, OpinionRow, PrimaryJudgmentRow, Store, SurveyRow};

/// Records the 認定調査票 and completes the survey step. Every missing, unknown or
/// out-of-range answer is reported with its item code (`INVALID_SURVEY`); nothing is stored.
pub fn submit_survey(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    survey: Survey,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    if let Err(errors) = validate_survey(&survey) {
        let text = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
        let (ja, en): (Vec<_>, Vec<_>) = text
            .iter()
            .map(|t| t.split_once(" / ").unwrap_or((t.as_str(), t.as_str())))
            .unzip();
        let message = format!("{} / {}", ja.join("、"), en.join("; "));
        return audited_refusal(
            store,
            caller,
            (id, super::CATEGORY),
            at,
            refused("INVALID_SURVEY", message),
        );
    }
    let body = to_json(&survey);
    let detail = serde_json::json!({});
    transition(
        store,
        caller,
        id,
        Event::CompleteSurvey,
        at,
        None,
        detail,
        |store, row| {
            store.put_survey(&SurveyRow {
                application_id: row.id,
                surveyed_on: at.jst_date(),
                surveyor: caller.account.clone(),
                body_json: body,
                submitted_at_ms: at.as_millis(),
            })?;
            Ok(())
        },
    )
}

/// The physician's signed 主治医意見書, as submitted.
#[derive(Debug, Clone)]
pub struct SignedOpinion {
    /// The opinion document (JSON, docs/interface/opinion.md), exactly the bytes signed.
    pub body: String,
    pub signature: PhysicianSignature,
}

/// Where physician signatures are checked against (the HPKI stand-in).
pub struct PhysicianTrust<'a> {
    pub root: &'a TrustAnchor,
    pub revocations: &'a RevocationList,
    pub now: OffsetDateTime,
}

/// Receives a 主治医意見書 from medical staff: the signature must verify under the physician
/// root and name the caller's own institution, and the institution must hold an open 作成依頼
/// (the policy's `NO_OPINION_REQUEST` otherwise). Each submission is a new version.
pub fn submit_opinion(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    opinion: SignedOpinion,
    trust: &PhysicianTrust<'_>,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let Some(row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let signer = kiban_crypto::verify_physician_signature(
        trust.root,
        trust.revocations,
        opinion.body.as_bytes(),
        &opinion.signature,
        trust.now,
    );
    let signer = match signer {
        Ok(signer) => signer,
        Err(e) => {
            return audited_refusal(
                store,
                caller,
                (id, Category::PhysicianOpinion),
                at,
                refused("OPINION_SIGNATURE_REJECTED", e),
            )
        }
    };
    let same_institution = matches!(caller.actor,
        Actor::MedicalStaff { institution, .. } if institution == signer.institution_code);
    if !same_institution {
        let why = "意見書の署名は、送信した医療機関の医師のものではありません / the opinion is not signed by a physician of the sending institution";
        return audited_refusal(
            store,
            caller,
            (id, Category::PhysicianOpinion),
            at,
            refused("OPINION_INSTITUTION_MISMATCH", why),
        );
    }
    if serde_json::from_str::<serde_json::Value>(&opinion.body).map_or(true, |v| !v.is_object()) {
        let why = "意見書の本文がJSONのオブジェクトではありません / the opinion body is not a JSON object";
        return audited_refusal(
            store,
            caller,
            (id, Category::PhysicianOpinion),
            at,
            refused("INVALID_OPINION", why),
        );
    }
    let decision = decide_only(
        store,
        caller,
        Action::Write,
        Category::PhysicianOpinion,
        person,
        at,
        None,
    )?;
    let institution_code = signer.institution_code;
    let detail = serde_json::json!({ "institution": institution_code.to_string() });
    transition(
        store,
        caller,
        id,
        Event::ReceiveOpinion,
        at,
        Some(decision),
        detail,
        |store, row| {
            let version = store.opinions(row.id)?.len() as i64 + 1;
            store.insert_opinion(&OpinionRow {
                id: 0,
                application_id: row.id,
                institution_code,
                physician: signer.physician_id.as_str().to_string(),
                version,
                body_json: opinion.body.clone(),
                signature: to_json(&opinion.signature),
                cert_fingerprint: signer.fingerprint.to_string(),
                submitted_at_ms: at.as_millis(),
            })?;
            Ok(())
        },
    )
}

/// Records the 一次判定 of the municipality's software after checking it against the stored
/// survey (`INVALID_PRIMARY_JUDGMENT` with the domain's reason).
pub fn record_primary_judgment(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    judgment: PrimaryJudgment,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let survey: Option<Survey> = store
        .survey(id)?
        .and_then(|s| serde_json::from_str(&s.body_json).ok());
    let checked = match &survey {
        Some(survey) => check_primary_judgment(&judgment, survey)
            .map_err(|e| refused("INVALID_PRIMARY_JUDGMENT", e)),
        None => Err(refused(
            "SURVEY_MISSING",
            "認定調査票がまだ登録されていません / the survey has not been recorded yet",
        )),
    };
    if let Err(refusal) = checked {
        return audited_refusal(store, caller, (id, super::CATEGORY), at, refusal);
    }
    let body = to_json(&judgment);
    let detail = serde_json::json!({ "level": judgment.level.code() });
    transition(
        store,
        caller,
        id,
        Event::RecordPrimaryJudgment,
        at,
        None,
        detail,
        |store, row| {
            store.put_primary_judgment(&PrimaryJudgmentRow {
                application_id: row.id,
                body_json: body,
                recorded_at_ms: at.as_millis(),
                recorded_by: caller.account.clone(),
            })?;
            Ok(())
        },
    )
}

/// What a decision produced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decided {
    pub application: ApplicationView,
    /// The new 被保険者証's 履歴番号 (none for 却下 / 非該当, or a person without a card).
    pub card_history: Option<u16>,
}

/// The 審査会's result: 二次判定 and 認定 (or 却下 for 非該当) in one transaction with the next
/// 被保険者証 version, so the person and the care manager see the new level at once. The
/// 意見書依頼 of the application close with the decision.
pub fn decide(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    result: CommitteeResult,
    at: Timestamp,
) -> Result<Outcome<Decided>> {
    let store = conn.store();
    let Some(mut row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let decision = super::municipal_write(store, caller, person, at)?;
    if log_write(store, caller, super::CATEGORY, person, at, &decision)?.is_some() {
        return Ok(Outcome::Denied(not_found()));
    }
    let (kind, applied_on) = (row.kind, row.applied_on);
    let previous = previous_certification(store, person, at.jst_date())?;
    let certified = result.level != CareLevel::NotApplicable;
    let last = if certified {
        Event::Certify
    } else {
        Event::Reject
    };
    // Both transitions, checked before anything is written: 二次判定, then 認定 or 却下.
    let checked = check_committee(kind, applied_on, previous, &result)
        .map_err(|e| refused("INVALID_COMMITTEE_RESULT", e))
        .and_then(|()| {
            let judged = progress_of(&row)
                .map_err(|_| refused("ILLEGAL_TRANSITION", "stored progress unreadable"))?
                .apply(Event::RecordSecondaryJudgment)
                .map_err(|e| refused("ILLEGAL_TRANSITION", e))?;
            let next = judged
                .apply(last)
                .map_err(|e| refused("ILLEGAL_TRANSITION", e))?;
            Ok((judged, next))
        });
    let (judged, next): (Progress, Progress) = match checked {
        Ok(both) => both,
        Err(refusal) => return Ok(Outcome::Denied(refusal)),
    };
    row.progress_json = to_json(&next);
    row.status = next.status();
    row.updated_at_ms = at.as_millis();
    let card_history = crate::in_transaction(store, |store| {
        store.update_application(&row)?;
        let detail = serde_json::json!({ "level": result.level.code() }).to_string();
        for (event, reached) in [(Event::RecordSecondaryJudgment, judged), (last, next)] {
            let step = step_row(
                id,
                caller,
                at,
                event.into(),
                reached.status(),
                detail.clone(),
            );
            store.append_application_event(&step)?;
        }
        store.put_committee(&CommitteeRow {
            application_id: id,
            committee_on: result.committee_on,
            result_json: Some(to_json(&result)),
            decided_at_ms: Some(at.as_millis()),
        })?;
        close_opinion_requests(store, &row, at)?;
        let history = match (certified, result.valid_from, result.valid_to) {
            (true, Some(from), Some(to)) => {
                let source = format!("認定結果 申請 {id}");
                let on = at.jst_date().max(from);
                super::card_version::append_card_version(store, person, on, &source, at, |card| {
                    card.certification = Some(CertificationOnCard {
                        level: result.level,
                        certified_on: result.committee_on,
                        valid_from: from,
                        valid_to: to,
                        monthly_limit_units: None,
                        kind_limits: Vec::new(),
                        committee_opinion: result.opinion.clone().unwrap_or_default(),
                        designated_services: result.designated_services.clone(),
                    });
                })?
            }
            _ => None,
        };
        Ok(history)
    })?;
    Ok(Outcome::Allowed(Decided {
        application: view(store, id)?,
        card_history,
    }))
}

/// Closes the 意見書依頼 this application opened: the institution's view of the person ends
/// with the decision (a later application asks again).
fn close_opinion_requests(
    store: &mut dyn Store,
    row: &kiban_store::ApplicationRow,
    at: Timestamp,
) -> Result<()> {
    let institutions: std::collections::BTreeSet<String> = store
        .application_events(row.id)?
        .into_iter()
        .filter(|e| e.event == StepKind::Event(Event::RequestOpinion))
        .filter_map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail_json).ok()?;
            Some(detail["institution"].as_str()?.to_string())
        })
        .collect();
    for code in institutions {
        for request in
            store.opinion_requests(&row.insurer.to_string(), &row.insured.to_string(), &code)?
        {
            if request.closed_at_ms.is_none() {
                store.close_opinion_request(request.id, at.as_millis())?;
            }
        }
    }
    Ok(())
}

/// The level and period end of the certification on the person's current card, for the
/// 更新 rules (48 months only when the level is unchanged; the new period follows the old).
fn previous_certification(
    store: &mut dyn Store,
    person: kiban_domain::access::PersonRef,
    on: Date,
) -> Result<Option<(CareLevel, Date)>> {
    let history = store.person_history(RecordKind::InsuredCard, person.insurer, person.insured)?;
    Ok(
        current_as_of(&history.versions, &history.withdrawn, on).and_then(|v| match &v.body {
            RecordBody::InsuredCard(card) => {
                card.certification.as_ref().map(|c| (c.level, c.valid_to))
            }
            _ => None,
        }),
    )
}

/// A document the workflow refuses before its step: the step's own policy decision is logged
/// as the access it was, and the answer is the policy's refusal if there is one, else `refusal`.
fn audited_refusal<T>(
    store: &mut dyn Store,
    caller: &Caller,
    (id, category): (i64, Category),
    at: Timestamp,
    refusal: crate::access::Denied,
) -> Result<Outcome<T>> {
    let Some(row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    // The decision the step itself would have taken, so the log and the answer agree with it.
    let decision = match category {
        Category::PhysicianOpinion => {
            decide_only(store, caller, Action::Write, category, person, at, None)?
        }
        _ => super::municipal_write(store, caller, person, at)?,
    };
    if log_write(store, caller, category, person, at, &decision)?.is_some() {
        return Ok(Outcome::Denied(not_found()));
    }
    Ok(Outcome::Denied(refusal))
}

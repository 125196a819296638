//! One person in the 保険者ポータル: the search, card linking and the person's plans. Every access
//! names a 利用目的 that goes into the policy actor, so the policy decides with it and the audit
//! log records it:
//! - search by 被保険者番号, or by the 基本4情報 through `kiban_app::confirm` (never a guess),
//!   then the summary through `qualification::read_summary` (policy + audit);
//! - linking a card: `kiban_app::cards::link_card`, a 資格情報 write the policy decides (allowed
//!   for 資格管理) and the audit log records, the use case `kiban card issue` calls too;
//! - the 主治医意見書作成依頼 form at the foot of the page is posted to [`super::opinion`], which
//!   answers with this page ([`page_with_opinion`]);
//! - one person's plans (`/municipal/persons/{insurer}/{insured}/careplans`, opened from the
//!   search): a person read through `kiban_app::careplan::folder` under the stated 利用目的, so it
//!   lands in that person's access history; without a purpose nothing is read and nothing is
//!   audited (400).
//!
//! The search and the card link are POST forms with a form token: the 基本4情報 must not end up
//! in URLs (history, logs).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_app::cards::LinkOutcome;
use kiban_domain::access::{PersonRef, Purpose, Timestamp};
use kiban_domain::codes::Sex;
use kiban_domain::date::Date;
use kiban_domain::ids::InsuredNumber;
use kiban_domain::matching::{BasicFour, MatchQuery};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::extract::person_of;
use crate::pages::careplan_sections::{self as cp, FolderShown};
use crate::pages::municipal::careplans::{at, Refusal};
use crate::pages::municipal::opinion::OpinionPart;
use crate::pages::municipal::{parse_purpose, purpose_options, MunicipalStaff, PurposeOption};
use crate::pages::office::summary::{sections, Answer};
use crate::pages::session::bad_form_token;
use crate::pages::view::{error_page, page_templates, respond, wareki, Page};
use crate::state::{now, Shared};

/// The search form. No `Debug`: it may carry the 基本4情報.
#[derive(Deserialize, Default)]
pub(crate) struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    insured: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    address: String,
}

#[derive(Default)]
pub(crate) struct SearchErrors {
    purpose: Option<&'static str>,
    insured: Option<&'static str>,
    basic: Option<&'static str>,
}

/// The person found and what the policy answered.
pub(crate) struct Found {
    insured: String,
    purpose: &'static str,
    answer: Answer,
}

#[derive(Template)]
#[template(path = "pages/municipal/person.html")]
pub(crate) struct SearchPage {
    page: Page,
    insurer: String,
    form: SearchForm,
    purposes: Vec<PurposeOption>,
    errors: SearchErrors,
    found: Option<Found>,
    opinion: OpinionPart,
}

/// The search page around the 意見書依頼 form's answer ([`super::opinion`]).
pub(crate) fn page_with_opinion(page: Page, insurer: String, opinion: OpinionPart) -> SearchPage {
    SearchPage {
        page,
        insurer,
        form: SearchForm::default(),
        purposes: purpose_options(""),
        errors: SearchErrors::default(),
        found: None,
        opinion,
    }
}

/// The card link form. No `Debug`.
#[derive(Deserialize, Default)]
pub(crate) struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    insured: String,
    #[serde(default)]
    pem: String,
}

#[derive(Default)]
pub(crate) struct LinkErrors {
    purpose: Option<&'static str>,
    insured: Option<&'static str>,
    pem: Option<&'static str>,
    form: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/municipal/card.html")]
pub(crate) struct LinkPage {
    page: Page,
    form: LinkForm,
    purposes: Vec<PurposeOption>,
    errors: LinkErrors,
    /// The linked card's fingerprint, after a link.
    linked: Option<String>,
}

page_templates!(SearchPage, LinkPage);

pub(crate) async fn search_form(State(state): State<Shared>, staff: MunicipalStaff) -> Response {
    let template = SearchPage {
        page: staff.page(&state),
        insurer: staff.insurer.to_string(),
        form: SearchForm::default(),
        purposes: purpose_options(""),
        errors: SearchErrors::default(),
        found: None,
        opinion: OpinionPart::for_person(""),
    };
    respond(StatusCode::OK, &template)
}

/// What the staff asked for, once the form is valid.
pub(in crate::pages) enum Search {
    Number(InsuredNumber),
    Basic(BasicFour),
}

pub(in crate::pages) fn check_search(form: &SearchForm) -> Result<(Purpose, Search), SearchErrors> {
    let purpose = parse_purpose(&form.purpose);
    let insured = normalize_digits(form.insured.trim());
    let basic = [&form.name, &form.birth_date, &form.sex, &form.address];
    let query = if !insured.is_empty() {
        InsuredNumber::parse(&insured)
            .map(Search::Number)
            .map_err(|_| SearchErrors {
                insured: Some("被保険者番号は10桁の数字で入力してください。"),
                ..Default::default()
            })
    } else if basic.iter().any(|v| v.trim().is_empty()) {
        Err(SearchErrors {
            basic: Some(
                "被保険者番号を入力するか、氏名・生年月日・性別・住所をすべて入力してください。",
            ),
            ..Default::default()
        })
    } else {
        match (
            Date::parse_any(form.birth_date.trim()),
            Sex::from_code(form.sex.trim()),
        ) {
            (Ok(birth_date), Ok(sex)) => Ok(Search::Basic(BasicFour {
                name: form.name.trim().to_string(),
                birth_date,
                sex,
                address: form.address.trim().to_string(),
            })),
            _ => Err(SearchErrors {
                basic: Some("生年月日は 19450401 のように8桁で入力し、性別を選んでください。"),
                ..Default::default()
            }),
        }
    };
    match (purpose, query) {
        (Ok(purpose), Ok(query)) => Ok((purpose, query)),
        (purpose, query) => {
            let mut errors = query.err().unwrap_or_default();
            errors.purpose = purpose.err();
            Err(errors)
        }
    }
}

pub(crate) async fn search(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<SearchForm>,
) -> Response {
    if !staff.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(staff.page(&state));
    }
    let mut template = SearchPage {
        page: staff.page(&state),
        insurer: staff.insurer.to_string(),
        purposes: purpose_options(&form.purpose),
        errors: SearchErrors::default(),
        found: None,
        form: SearchForm::default(),
        opinion: OpinionPart::for_person(""),
    };
    let (purpose, query) = match check_search(&form) {
        Ok(ok) => ok,
        Err(errors) => {
            // Nothing was read: nothing to audit.
            template.errors = errors;
            template.form = form;
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
        }
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "検索できません", &e),
    };
    let insurer = staff.insurer;
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let person = match query {
                Search::Number(insured) => PersonRef { insurer, insured },
                Search::Basic(basic) => {
                    let query = MatchQuery::BasicFour(basic);
                    match kiban_app::confirm::confirm_without_card(
                        conn, &caller, insurer, query, at,
                    )? {
                        Outcome::Allowed(person) => person,
                        Outcome::Denied(denied) => return Ok((None, Outcome::Denied(denied), at)),
                    }
                }
            };
            let outcome = kiban_app::qualification::read_summary(conn, &caller, person, at)?;
            Ok((Some(person), outcome, at))
        })
        .await;
    let (person, outcome, at) = match read {
        Ok(read) => read,
        Err(e) => return staff.error_page(&state, "情報を表示できません", &e),
    };
    let answer = match outcome {
        Outcome::Allowed(summary) => Answer::Shown {
            as_of: wareki(at.jst_date()),
            sections: sections(&summary, at.jst_date()),
        },
        Outcome::Denied(denied) => Answer::Refused {
            code: denied.reason,
            message: denied.message_ja,
        },
    };
    let insured = person.map(|p| p.insured.to_string()).unwrap_or_default();
    template.opinion = OpinionPart::for_person(&insured);
    template.found = Some(Found {
        insured,
        purpose: purpose.label(),
        answer,
    });
    template.form.purpose = form.purpose;
    respond(StatusCode::OK, &template)
}

/// Links a card certificate to a 被保険者 of the staff's own 保険者.
pub(crate) async fn link(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<LinkForm>,
) -> Response {
    if !staff.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(staff.page(&state));
    }
    let purpose = parse_purpose(&form.purpose);
    let insured = InsuredNumber::parse(&normalize_digits(form.insured.trim()));
    // Only a certificate of this platform's card root names a card that can log in.
    let fingerprint = kiban_crypto::card_fingerprint(&state.card_root, form.pem.trim());
    let mut errors = LinkErrors {
        purpose: purpose.err(),
        insured: insured
            .is_err()
            .then_some("被保険者番号は10桁の数字で入力してください。"),
        pem: fingerprint.is_none().then_some(
            "カード証明書（-----BEGIN CERTIFICATE----- で始まる文字列）を、そのまま貼り付けてください。この基盤のカード以外の証明書は紐付けできません。",
        ),
        form: None,
    };
    let mut template = LinkPage {
        page: staff.page(&state),
        purposes: purpose_options(&form.purpose),
        errors: LinkErrors::default(),
        linked: None,
        form,
    };
    let (Ok(purpose), Ok(insured), Some(fingerprint)) = (purpose, insured, fingerprint) else {
        template.errors = errors;
        return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "紐付けできません", &e),
    };
    let person = PersonRef {
        insurer: staff.insurer,
        insured,
    };
    let fingerprint = fingerprint.to_string();
    let linked = fingerprint.clone();
    let done = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::cards::link_card(conn, &caller, person, &fingerprint, at)?;
            Ok(match outcome {
                LinkOutcome::Linked => Ok(linked),
                LinkOutcome::Denied(d) => Err((StatusCode::FORBIDDEN, d.message_ja)),
                LinkOutcome::NotRegistered => Err((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "この被保険者番号の方は登録されていません。番号を確かめてください。".to_string(),
                )),
                LinkOutcome::AlreadyLinked => Err((
                    StatusCode::CONFLICT,
                    "このカードは既に紐付けられています。別の方に紐付けるには、先に紐付けを解除してください。".to_string(),
                )),
            })
        })
        .await;
    match done {
        Ok(Ok(fingerprint)) => {
            template.linked = Some(fingerprint);
            respond(StatusCode::OK, &template)
        }
        Ok(Err((status, message))) => {
            errors.form = Some(message);
            template.errors = errors;
            respond(status, &template)
        }
        Err(e) => staff.error_page(&state, "紐付けできません", &e),
    }
}

/// One person's plans under a stated purpose.
pub(crate) enum PersonShown {
    /// No purpose yet: nothing was read.
    Nothing,
    Folder(FolderShown),
    Refused(Refusal),
}

#[derive(Template)]
#[template(path = "pages/municipal/person_careplans.html")]
pub(crate) struct PersonPage {
    page: Page,
    insurer: String,
    insured: String,
    purposes: Vec<PurposeOption>,
    purpose_error: Option<&'static str>,
    read_under: Option<&'static str>,
    shown: PersonShown,
}

page_templates!(PersonPage);

#[derive(Deserialize, Default)]
pub(crate) struct PurposeQuery {
    #[serde(default)]
    purpose: Option<String>,
}

/// One person's plans under the stated purpose.
pub(crate) async fn careplans(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Path((insurer, insured)): Path<(String, String)>,
    Query(q): Query<PurposeQuery>,
) -> Response {
    let Ok(person) = person_of(&insurer, &insured) else {
        return error_page(
            staff.page(&state),
            StatusCode::NOT_FOUND,
            "ページが見つかりません",
            "保険者番号か被保険者番号が正しくありません。被保険者の検索からもう一度開いてください。",
        );
    };
    let chosen = q.purpose.unwrap_or_default();
    let mut template = PersonPage {
        page: staff.page(&state),
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        purposes: purpose_options(&chosen),
        purpose_error: None,
        read_under: None,
        shown: PersonShown::Nothing,
    };
    let purpose = match parse_purpose(&chosen) {
        Ok(p) => p,
        Err(e) => {
            // Nothing was read: nothing to audit.
            template.purpose_error = Some(e);
            return respond(StatusCode::BAD_REQUEST, &template);
        }
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "ケアプランを表示できません", &e),
    };
    let read = state
        .conn(move |_, conn| Ok(kiban_app::careplan::folder(conn, &caller, person, at())?))
        .await;
    template.read_under = Some(purpose.label());
    template.shown = match read {
        Ok(Outcome::Allowed(folder)) => PersonShown::Folder(cp::folder(&folder)),
        Ok(Outcome::Denied(d)) => PersonShown::Refused(d.into()),
        Err(e) => return staff.error_page(&state, "ケアプランを表示できません", &e),
    };
    respond(StatusCode::OK, &template)
}

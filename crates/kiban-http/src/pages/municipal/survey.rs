//! 認定調査票 entry in the 保険者ポータル (`/municipal/applications/{id}/survey`): one plain form
//! with the 概況調査 (調査実施日, 調査員, 実施場所, 置かれている環境), the 74 基本調査 items of
//! `kiban_domain::certification::ITEMS` grouped by 群 (one `<select>` each, its answers as the
//! form prints them), the two 日常生活自立度 and one 特記事項 box per 群. The POST carries the
//! form token and a required 利用目的 and goes to `kiban_app::certification::submit_survey`
//! (policy-decided, audited, only 認定事務 may), the API's own use case.
//!
//! - Every item problem of an `INVALID_SURVEY` refusal is shown at the top and next to its item
//!   (`aria-invalid`), with everything entered kept. The per-item lines come from the same
//!   `validate_survey` the use case runs, so the page marks exactly the items the refusal names.
//! - When a 概況調査 field or the purpose is wrong, nothing is sent (nothing read, nothing
//!   audited) and the item problems are shown in the same pass, so one correction suffices.
//! - 特記事項: the form has one box per 群 (the paper form's layout per item would add 74 boxes);
//!   the text is filed under the group's first item code (e.g. 1-1-1 for 第1群) [decision].
//! - 現在受けているサービスの状況 (概況調査 III) is not on this form; the API takes it.
//! - GET shows the empty form without reading anything of the person.
//! - On success the registered care manager's office gets its notice (as from the API) and the
//!   browser goes to the progress page (`/municipal/applications/{id}`).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Outcome;
use kiban_domain::access::{Purpose, Timestamp};
use kiban_domain::certification::{
    validate_survey, DementiaIndependence, Group, PhysicalIndependence, PlaceKind, Survey,
    SurveyPlace, Surveyor, ITEMS,
};
use kiban_domain::date::Date;
use kiban_domain::text::normalize_digits;

use crate::notices::Notice;
use crate::pages::cert_view::PurposeField;
use crate::pages::municipal::{parse_purpose, MunicipalStaff};
use crate::pages::session::bad_form_token;
use crate::pages::view::{error_page, page_templates, respond, Page};
use crate::state::{now, Shared};

/// An option of a select or radio group.
pub(crate) struct Choice {
    code: String,
    label: &'static str,
    selected: bool,
}

fn choices<'a>(all: impl Iterator<Item = (&'a str, &'static str)>, chosen: &str) -> Vec<Choice> {
    all.map(|(code, label)| Choice {
        code: code.to_string(),
        label,
        selected: code == chosen,
    })
    .collect()
}

/// One 基本調査 item on the form.
pub(crate) struct ItemField {
    code: &'static str,
    label: &'static str,
    options: Vec<Choice>,
    error: Option<String>,
}

/// One 群: its items and its 特記事項 box.
pub(crate) struct GroupField {
    code: &'static str,
    label: &'static str,
    items: Vec<ItemField>,
    note: String,
}

/// The 概況調査 and 日常生活自立度 fields as entered.
#[derive(Default)]
pub(crate) struct Fields {
    surveyed_on: String,
    surveyor_name: String,
    affiliation: String,
    place_kind: String,
    place_detail: String,
    environment: String,
    physical: String,
    dementia: String,
}

#[derive(Default)]
pub(crate) struct FieldErrors {
    surveyed_on: Option<&'static str>,
    surveyor_name: Option<&'static str>,
    affiliation: Option<&'static str>,
    place_kind: Option<&'static str>,
    physical: Option<&'static str>,
    dementia: Option<&'static str>,
}

impl FieldErrors {
    pub(in crate::pages) fn any(&self) -> bool {
        self.surveyed_on.is_some()
            || self.surveyor_name.is_some()
            || self.affiliation.is_some()
            || self.place_kind.is_some()
            || self.physical.is_some()
            || self.dementia.is_some()
    }
}

/// What went wrong, at the top of the form.
pub(crate) struct Problem {
    message: String,
    code: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "pages/municipal/survey.html")]
pub(crate) struct SurveyPage {
    page: Page,
    id: i64,
    purpose: PurposeField,
    fields: Fields,
    errors: FieldErrors,
    places: Vec<Choice>,
    physicals: Vec<Choice>,
    dementias: Vec<Choice>,
    groups: Vec<GroupField>,
    problem: Option<Problem>,
}

page_templates!(SurveyPage);

/// The posted form: every field by name (items are `q_<item code>`, notes `n_<group code>`).
pub(in crate::pages) struct Posted {
    csrf: String,
    purpose: String,
    fields: Fields,
    answers: BTreeMap<String, String>,
    notes: BTreeMap<String, String>,
}

impl Posted {
    pub(in crate::pages) fn of(pairs: Vec<(String, String)>) -> Self {
        let mut posted = Posted {
            csrf: String::new(),
            purpose: String::new(),
            fields: Fields::default(),
            answers: BTreeMap::new(),
            notes: BTreeMap::new(),
        };
        for (name, value) in pairs {
            let f = &mut posted.fields;
            match name.as_str() {
                "csrf" => posted.csrf = value,
                "purpose" => posted.purpose = value,
                "surveyed_on" => f.surveyed_on = value,
                "surveyor_name" => f.surveyor_name = value,
                "affiliation" => f.affiliation = value,
                "place_kind" => f.place_kind = value,
                "place_detail" => f.place_detail = value,
                "environment" => f.environment = value,
                "physical" => f.physical = value,
                "dementia" => f.dementia = value,
                other => {
                    if let Some(code) = other.strip_prefix("q_") {
                        // An unanswered select posts "": the item is missing, not answered "".
                        if !value.trim().is_empty() {
                            posted
                                .answers
                                .insert(code.to_string(), value.trim().to_string());
                        }
                    } else if let Some(group) = other.strip_prefix("n_") {
                        posted.notes.insert(group.to_string(), value);
                    }
                }
            }
        }
        posted
    }
}

/// The form with what was entered and each item's problem.
fn form_page(
    page: Page,
    id: i64,
    posted: &Posted,
    purpose_error: Option<&'static str>,
    errors: FieldErrors,
    item_errors: &BTreeMap<String, String>,
    problem: Option<Problem>,
) -> SurveyPage {
    let f = &posted.fields;
    let groups = Group::ALL
        .iter()
        .map(|g| GroupField {
            code: g.code(),
            label: g.label(),
            items: ITEMS
                .iter()
                .filter(|i| i.group == *g)
                .map(|i| {
                    let chosen = posted.answers.get(i.code).map_or("", String::as_str);
                    let codes: Vec<String> = (1..=i.answers.len()).map(|n| n.to_string()).collect();
                    ItemField {
                        code: i.code,
                        label: i.label,
                        options: choices(
                            codes
                                .iter()
                                .map(String::as_str)
                                .zip(i.answers.iter().copied()),
                            chosen,
                        ),
                        error: item_errors.get(i.code).cloned(),
                    }
                })
                .collect(),
            note: posted.notes.get(g.code()).cloned().unwrap_or_default(),
        })
        .collect();
    SurveyPage {
        page,
        id,
        purpose: PurposeField::new(&posted.purpose, purpose_error),
        places: choices(
            PlaceKind::ALL.iter().map(|p| (p.code(), p.label())),
            &f.place_kind,
        ),
        physicals: choices(
            PhysicalIndependence::ALL
                .iter()
                .map(|p| (p.code(), p.label())),
            &f.physical,
        ),
        dementias: choices(
            DementiaIndependence::ALL
                .iter()
                .map(|d| (d.code(), d.label())),
            &f.dementia,
        ),
        fields: Fields {
            surveyed_on: f.surveyed_on.clone(),
            surveyor_name: f.surveyor_name.clone(),
            affiliation: f.affiliation.clone(),
            place_kind: f.place_kind.clone(),
            place_detail: f.place_detail.clone(),
            environment: f.environment.clone(),
            physical: f.physical.clone(),
            dementia: f.dementia.clone(),
        },
        errors,
        groups,
        problem,
    }
}

fn application_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

fn no_such_application(page: Page) -> Response {
    error_page(
        page,
        StatusCode::NOT_FOUND,
        "ページが見つかりません",
        "申請番号が正しくありません。",
    )
}

pub(crate) async fn form(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Path(id): Path<String>,
) -> Response {
    let page = staff.page(&state);
    let Some(id) = application_id(&id) else {
        return no_such_application(page);
    };
    let empty = Posted::of(Vec::new());
    let template = form_page(
        page,
        id,
        &empty,
        None,
        FieldErrors::default(),
        &BTreeMap::new(),
        None,
    );
    respond(StatusCode::OK, &template)
}

/// The survey the form describes, with placeholders where a 概況調査 field is wrong (then it is
/// only used to find the item problems, never sent).
pub(in crate::pages) fn survey_of(posted: &Posted) -> (Survey, FieldErrors) {
    let f = &posted.fields;
    let mut errors = FieldErrors::default();
    let surveyed_on = Date::parse_any(&normalize_digits(f.surveyed_on.trim()))
        .map_err(|_| {
            errors.surveyed_on =
                Some("調査実施日を「令和8年12月5日」か「20261205」の形で入力してください。")
        })
        .ok();
    if f.surveyor_name.trim().is_empty() {
        errors.surveyor_name = Some("調査員の氏名を入力してください。");
    }
    if f.affiliation.trim().is_empty() {
        errors.affiliation = Some("調査員の所属を入力してください。");
    }
    let place = PlaceKind::from_code(f.place_kind.trim())
        .map_err(|_| errors.place_kind = Some("実施場所を選んでください。"))
        .ok();
    let physical = PhysicalIndependence::from_code(f.physical.trim())
        .map_err(|_| errors.physical = Some("障害高齢者の日常生活自立度を選んでください。"))
        .ok();
    let dementia = DementiaIndependence::from_code(f.dementia.trim())
        .map_err(|_| errors.dementia = Some("認知症高齢者の日常生活自立度を選んでください。"))
        .ok();
    // 特記事項 per 群, filed under the group's first item.
    let special_notes = posted
        .notes
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .filter_map(|(group, text)| {
            let first = ITEMS.iter().find(|i| i.group.code() == group)?;
            Some((first.code.to_string(), text.trim().to_string()))
        })
        .collect();
    let survey = Survey {
        surveyed_on: surveyed_on.unwrap_or(Date::parse_yyyymmdd("20000101").expect("a date")),
        surveyor: Surveyor {
            name: f.surveyor_name.trim().to_string(),
            affiliation: f.affiliation.trim().to_string(),
        },
        place: SurveyPlace {
            kind: place.unwrap_or(PlaceKind::AtHome),
            detail: f.place_detail.trim().to_string(),
        },
        current_services: Vec::new(),
        environment: f.environment.trim().to_string(),
        answers: posted.answers.clone(),
        physical_independence: physical.unwrap_or(PhysicalIndependence::Independent),
        dementia_independence: dementia.unwrap_or(DementiaIndependence::Independent),
        special_notes,
    };
    (survey, errors)
}

/// Each item's problem in Japanese, by item code.
pub(in crate::pages) fn item_errors(survey: &Survey) -> BTreeMap<String, String> {
    let mut by_item = BTreeMap::new();
    if let Err(errors) = validate_survey(survey) {
        for e in errors {
            let text = e.to_string();
            let ja = text.split_once(" / ").map_or(text.as_str(), |(ja, _)| ja);
            by_item
                .entry(e.item().to_string())
                .or_insert_with(|| ja.to_string());
        }
    }
    by_item
}

pub(crate) async fn submit(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let posted = Posted::of(pairs);
    let page = staff.page(&state);
    if !staff.browser.form_token_ok(&state, &posted.csrf) {
        return bad_form_token(page);
    }
    let Some(id) = application_id(&id) else {
        return no_such_application(page);
    };
    let purpose = parse_purpose(&posted.purpose);
    let (survey, errors) = survey_of(&posted);
    let (purpose, caller) = match purpose {
        Ok(p) if !errors.any() => match staff.caller(p) {
            Ok(caller) => (p, caller),
            Err(e) => return staff.error_page(&state, "登録できません", &e),
        },
        purpose => {
            // Nothing was sent: nothing to audit. The item problems are shown in the same pass.
            let items = item_errors(&survey);
            let problem = Some(Problem {
                message:
                    "入力に誤りがあります。印のついた欄を直してから、もう一度登録してください。"
                        .to_string(),
                code: None,
            });
            let template = form_page(page, id, &posted, purpose.err(), errors, &items, problem);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
        }
    };
    let checked = survey.clone();
    let sent = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::certification::submit_survey(
                conn, &caller, id, survey, at,
            )?)
        })
        .await;
    match sent {
        Ok(Outcome::Allowed(view)) => {
            if let Some(office) = &view.care_manager_office {
                // The registered care manager's notice, exactly as the API sends it.
                let notice = Notice {
                    office: office.clone(),
                    application_id: view.id,
                    status: view.status.clone(),
                    at_ms: now().0,
                };
                crate::notices::announce(&state, notice).await;
            }
            let to = progress_url(id, purpose);
            Redirect::to(&to).into_response()
        }
        Ok(Outcome::Denied(denied)) => {
            let status = match denied.reason {
                "INVALID_SURVEY" => StatusCode::UNPROCESSABLE_ENTITY,
                "APPLICATION_NOT_FOUND" => StatusCode::NOT_FOUND,
                "ILLEGAL_TRANSITION" | "APPLICATION_CLOSED" => StatusCode::CONFLICT,
                _ => StatusCode::FORBIDDEN,
            };
            let items = if denied.reason == "INVALID_SURVEY" {
                item_errors(&checked)
            } else {
                BTreeMap::new()
            };
            let problem = Some(Problem {
                message: denied.message_ja,
                code: Some(denied.reason),
            });
            let template = form_page(
                page,
                id,
                &posted,
                None,
                FieldErrors::default(),
                &items,
                problem,
            );
            respond(status, &template)
        }
        Err(e) => staff.error_page(&state, "登録できません", &e),
    }
}

fn progress_url(id: i64, purpose: Purpose) -> String {
    format!(
        "/municipal/applications/{id}?purpose={}&done=survey",
        purpose.code()
    )
}

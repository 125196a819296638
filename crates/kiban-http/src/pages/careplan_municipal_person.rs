//! One person's plans in the 保険者ポータル (`/municipal/persons/{insurer}/{insured}/careplans`,
//! opened from the person search): a person read through `kiban_app::careplan::folder` under the
//! stated 利用目的, so it lands in that person's access history. Without a purpose nothing is
//! read and nothing is audited (400).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use serde::Deserialize;

use super::careplan_municipal::{at, Refusal};
use super::careplan_sections::{self as cp, FolderShown};
use super::municipal::{parse_purpose, purpose_options, MunicipalStaff, PurposeOption};
use super::view::{error_page, page_templates, respond, Page};
use crate::extract::person_of;
use crate::state::Shared;

/// One person's plans under a stated purpose.
pub(crate) enum PersonShown {
    /// No purpose yet: nothing was read.
    Nothing,
    Folder(FolderShown),
    Refused(Refusal),
}

#[derive(Template)]
#[template(path = "pages/careplan_municipal_person.html")]
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
pub(crate) async fn person(
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

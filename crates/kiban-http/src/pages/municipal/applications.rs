//! 要介護認定 in the 保険者ポータル: the overdue list (`/municipal/applications/overdue`, the
//! applications of the staff's own 保険者 past their 30-day or extended due day) and one
//! application's progress (`/municipal/applications/{id}`). Both read personal data, so, like
//! the person search, they need a 利用目的 from a required form field (`purpose`, a GET
//! look-up: the purpose is not personal), which goes into the policy actor and the audit log:
//! the list through `kiban_app::certification::overdue` (one decision and one audit event per
//! listed person; persons the purpose does not reach are left out), the progress through
//! `kiban_app::certification::progress`. Only 認定事務 reaches them; the page says so.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_domain::access::Timestamp;
use serde::Deserialize;

use crate::pages::cert_view::{AppShown, Progress, PurposeField};
use crate::pages::municipal::{parse_purpose, MunicipalStaff};
use crate::pages::view::{error_page, page_templates, respond, Page};
use crate::state::{now, Shared};

#[derive(Deserialize, Default)]
pub(crate) struct PurposeQuery {
    #[serde(default)]
    purpose: Option<String>,
    /// Set by the survey form's redirect: the survey was recorded.
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/municipal/overdue.html")]
pub(crate) struct OverduePage {
    page: Page,
    insurer: String,
    purpose: PurposeField,
    /// The purpose the list was read under (its code and label), once read.
    read_under: Option<(&'static str, &'static str)>,
    today: String,
    apps: Vec<AppShown>,
}

#[derive(Template)]
#[template(path = "pages/municipal/application.html")]
pub(crate) struct ProgressPage {
    page: Page,
    id: i64,
    purpose: PurposeField,
    progress: Option<Progress>,
    survey_done: bool,
}

page_templates!(OverduePage, ProgressPage);

/// Which purpose was asked for: none yet (show the form), a valid one, or a wrong one.
fn asked(q: &PurposeQuery) -> Option<Result<kiban_domain::access::Purpose, &'static str>> {
    q.purpose.as_deref().map(parse_purpose)
}

pub(crate) async fn overdue(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Query(q): Query<PurposeQuery>,
) -> Response {
    let chosen = q.purpose.clone().unwrap_or_default();
    let mut template = OverduePage {
        page: staff.page(&state),
        insurer: staff.insurer.to_string(),
        purpose: PurposeField::new(&chosen, None),
        read_under: None,
        today: String::new(),
        apps: Vec::new(),
    };
    let purpose = match asked(&q) {
        None => return respond(StatusCode::OK, &template),
        Some(Err(e)) => {
            // Nothing was read: nothing to audit.
            template.purpose.error = Some(e);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
        }
        Some(Ok(p)) => p,
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "一覧を表示できません", &e),
    };
    let insurer = staff.insurer;
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let today = at.jst_date();
            let list = kiban_app::certification::overdue(conn, &caller, insurer, today, at)?;
            Ok((list, today))
        })
        .await;
    let (list, today) = match read {
        Ok(read) => read,
        Err(e) => return staff.error_page(&state, "一覧を表示できません", &e),
    };
    template.read_under = Some((purpose.code(), purpose.label()));
    template.today = crate::pages::view::wareki(today);
    template.apps = list.iter().map(AppShown::of).collect();
    respond(StatusCode::OK, &template)
}

pub(crate) async fn show(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(
            staff.page(&state),
            StatusCode::NOT_FOUND,
            "ページが見つかりません",
            "申請番号が正しくありません。",
        );
    };
    let chosen = q.purpose.clone().unwrap_or_default();
    let mut template = ProgressPage {
        page: staff.page(&state),
        id,
        purpose: PurposeField::new(&chosen, None),
        progress: None,
        survey_done: q.done.as_deref() == Some("survey"),
    };
    let purpose = match asked(&q) {
        None => return respond(StatusCode::OK, &template),
        Some(Err(e)) => {
            template.purpose.error = Some(e);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
        }
        Some(Ok(p)) => p,
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "進捗を表示できません", &e),
    };
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::certification::progress(conn, &caller, id, at)?)
        })
        .await;
    template.progress = Some(match read {
        Ok(Outcome::Allowed(view)) => Progress::Shown(AppShown::of(&view)),
        Ok(Outcome::Denied(denied)) => Progress::Refused {
            code: denied.reason.to_string(),
            message: denied.message_ja,
        },
        Err(e) => return staff.error_page(&state, "進捗を表示できません", &e),
    });
    respond(StatusCode::OK, &template)
}

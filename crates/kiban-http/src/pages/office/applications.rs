//! 要介護認定の進捗 for the care manager's office: the open applications whose 計画作成依頼届出
//! names this office (`kiban_app::certification::applications_for_office`: each listed person
//! decided by the policy and audited, as the progress page is), each linking to its progress page, which
//! reads through `kiban_app::certification::progress`: decided by the access policy (the
//! application-time consent reaches the registered office) and audited, allowed or refused. A
//! refusal is a page with the policy's reason and code, as on the category pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_domain::access::Timestamp;

use crate::pages::cert_view::{AppShown, Progress};
use crate::pages::office::PORTAL;
use crate::pages::session::OfficeStaff;
use crate::pages::view::{error_page, page_templates, read_failed, respond, wareki, Page};
use crate::state::{now, Shared};

pub(crate) struct Line {
    id: i64,
    insurer: String,
    insured: String,
    status: String,
    due_on: String,
}

#[derive(Template)]
#[template(path = "pages/office/applications.html")]
pub(crate) struct ListPage {
    page: Page,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "pages/office/application.html")]
pub(crate) struct ProgressPage {
    page: Page,
    id: i64,
    progress: Progress,
    /// Where the page's "back" link goes, and its text.
    back: (&'static str, &'static str),
}

page_templates!(ListPage, ProgressPage);

pub(crate) async fn list(State(state): State<Shared>, office: OfficeStaff) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let caller = office.staff.caller.clone();
    let listed = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::certification::applications_for_office(
                conn, &caller, at,
            )?)
        })
        .await;
    let Ok(listed) = listed else {
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "一覧を表示できませんでした",
            "時間をおいて、もう一度開いてください。",
        );
    };
    let lines = listed
        .into_iter()
        .map(|a| Line {
            id: a.id,
            status: a.status.label().to_string(),
            due_on: wareki(a.due_on),
            insurer: a.insurer,
            insured: a.insured,
        })
        .collect();
    respond(StatusCode::OK, &ListPage { page, lines })
}

pub(crate) async fn show(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path(id): Path<String>,
) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let Ok(id) = id.parse::<i64>() else {
        return error_page(
            page,
            StatusCode::NOT_FOUND,
            "ページが見つかりません",
            "申請番号が正しくありません。一覧からもう一度開いてください。",
        );
    };
    let caller = office.staff.caller;
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::certification::progress(conn, &caller, id, at)?)
        })
        .await;
    let progress = match read {
        Ok(Outcome::Allowed(view)) => Progress::Shown(AppShown::of(&view)),
        Ok(Outcome::Denied(denied)) => Progress::Refused {
            code: denied.reason.to_string(),
            message: denied.message_ja,
        },
        Err(e) => return read_failed(page, &e),
    };
    let template = ProgressPage {
        page,
        id,
        progress,
        back: ("/office/applications", "要介護認定の進捗の一覧に戻る"),
    };
    respond(StatusCode::OK, &template)
}

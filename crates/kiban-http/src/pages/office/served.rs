//! The persons this office serves (担当している利用者): the office's own open 担当 registrations,
//! each linking to the person's page, which goes through the access policy as always.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::pages::office::PORTAL;
use crate::pages::session::OfficeStaff;
use crate::pages::view::{error_page, page_templates, respond, wareki, Page};
use crate::state::Shared;

pub(crate) struct Line {
    insurer: String,
    insured: String,
    since: String,
    last_service: String,
}

#[derive(Template)]
#[template(path = "pages/office/served.html")]
pub(crate) struct ServedPage {
    page: Page,
    lines: Vec<Line>,
}

page_templates!(ServedPage);

pub(crate) async fn list(State(state): State<Shared>, office: OfficeStaff) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let caller = office.staff.caller.clone();
    let served = state
        .conn(move |_, conn| Ok(kiban_app::serving::served_by(conn, &caller)?))
        .await;
    let Ok(served) = served else {
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "一覧を表示できませんでした",
            "時間をおいて、もう一度開いてください。",
        );
    };
    let lines = served
        .into_iter()
        .map(|s| Line {
            since: wareki(s.started_on),
            last_service: s
                .last_service_on
                .map(wareki)
                .unwrap_or_else(|| "記録なし".to_string()),
            insurer: s.insurer,
            insured: s.insured,
        })
        .collect();
    respond(StatusCode::OK, &ServedPage { page, lines })
}

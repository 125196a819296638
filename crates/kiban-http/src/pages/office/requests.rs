//! 主治医意見書作成依頼 at a medical institution: the open requests the 保険者 has addressed to
//! the logged-in staff member's institution, each linking to the person's page, which goes
//! through the access policy as always (the request is the link; consent still decides).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kiban_domain::access::Actor;

use crate::pages::office::PORTAL;
use crate::pages::session::OfficeStaff;
use crate::pages::view::{error_page, page_templates, respond, wareki, Page};
use crate::state::Shared;

const NOT_MEDICAL: &str = "この画面は医療機関の職員用です。主治医意見書の作成依頼は、医療機関あてに届きます。事業所の方は「担当している利用者の一覧」をお使いください。";

pub(crate) struct Line {
    insurer: String,
    insured: String,
    requested_on: String,
}

#[derive(Template)]
#[template(path = "pages/office/requests.html")]
pub(crate) struct RequestsPage {
    page: Page,
    lines: Vec<Line>,
}

page_templates!(RequestsPage);

pub(crate) async fn list(State(state): State<Shared>, office: OfficeStaff) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    // The use case would answer an office with an empty list; saying why is kinder than
    // "no requests", which an office could read as "none yet".
    if !matches!(office.staff.caller.actor, Actor::MedicalStaff { .. }) {
        return error_page(
            page,
            StatusCode::FORBIDDEN,
            "医療機関の職員用の画面です",
            NOT_MEDICAL,
        );
    }
    let caller = office.staff.caller.clone();
    let requests = state
        .conn(move |_, conn| Ok(kiban_app::opinion::open_requests_for(conn, &caller)?))
        .await;
    let Ok(requests) = requests else {
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "一覧を表示できませんでした",
            "時間をおいて、もう一度開いてください。",
        );
    };
    let lines = requests
        .into_iter()
        .map(|r| Line {
            requested_on: wareki(r.requested_at.jst_date()),
            insurer: r.insurer,
            insured: r.insured,
        })
        .collect();
    respond(StatusCode::OK, &RequestsPage { page, lines })
}

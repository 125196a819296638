//! 要介護認定の申請 in the citizen portal (`/me/applications`): the person's own applications
//! through `kiban_app::certification::applications_of`, the same use case as
//! `GET /api/v1/me/applications` (one policy decision and one audit event for the list), each
//! with its 申請区分, 申請日, status, 期限 (and 処理延期) and every recorded step.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_domain::access::Timestamp;

use crate::pages::cert_view::AppShown;
use crate::pages::me::login::Citizen;
use crate::pages::view::{cannot_show, page_templates, read_failed, respond, Page};
use crate::state::{now, Shared};

#[derive(Template)]
#[template(path = "pages/me/applications.html")]
pub(crate) struct MinePage {
    page: Page,
    apps: Vec<AppShown>,
}

page_templates!(MinePage);

pub(crate) async fn list(State(state): State<Shared>, me: Citizen) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::certification::applications_of(
                conn, &caller, person, at,
            )?)
        })
        .await;
    match read {
        Ok(Outcome::Allowed(views)) => {
            let apps = views.iter().map(AppShown::of).collect();
            respond(StatusCode::OK, &MinePage { page, apps })
        }
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

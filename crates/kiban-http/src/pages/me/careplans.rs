//! The person's care plans and LIFE feedback in the 本人ポータル: わたしのケアプラン
//! (`/me/careplans`, through `kiban_app::careplan::folder` with the person as caller), the
//! answer to a plan sent for 同意・確認 (`POST /me/careplans/{id}/confirm` and `…/comment`,
//! through `kiban_app::careplan::answer_draft`, which decides and records the answer with its
//! time) and LIFE (`/me/life`, through `kiban_app::life::feedback`). Every view and answer is a
//! policy decision and an audit event, as the API's.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Outcome;
use kiban_app::careplan::reads::AnswerKind;
use kiban_domain::access::Timestamp;
use serde::Deserialize;

use crate::pages::careplan_sections::{self as cp, FolderShown, LifeShown};
use crate::pages::me::login::{Citizen, CsrfForm};
use crate::pages::session::bad_form_token;
use crate::pages::view::{cannot_show, page_templates, read_failed, respond, Page};
use crate::state::{now, Shared};

#[derive(Template)]
#[template(path = "pages/me/careplans.html")]
pub(crate) struct CarePlansPage {
    page: Page,
    folder: FolderShown,
    /// What was just done, for the notice at the top.
    done: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "pages/me/life.html")]
pub(crate) struct LifePage {
    page: Page,
    sheets: Vec<LifeShown>,
}

page_templates!(CarePlansPage, LifePage);

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn at() -> Timestamp {
    Timestamp::from_millis(now().0)
}

pub(crate) async fn list(
    State(state): State<Shared>,
    me: Citizen,
    Query(q): Query<DoneQuery>,
) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| Ok(kiban_app::careplan::folder(conn, &caller, person, at())?))
        .await;
    match read {
        Ok(Outcome::Allowed(folder)) => respond(
            StatusCode::OK,
            &CarePlansPage {
                page,
                folder: cp::folder(&folder),
                done: match q.done.as_deref() {
                    Some("confirmed") => Some("計画に同意しました。ケアマネジャーに伝わります。"),
                    Some("commented") => Some("意見を送りました。ケアマネジャーに伝わります。"),
                    _ => None,
                },
            },
        ),
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

#[derive(Deserialize)]
pub(crate) struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

/// この計画に同意する.
pub(crate) async fn confirm(
    State(state): State<Shared>,
    me: Citizen,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    answer(state, me, id, &form.csrf, AnswerKind::Confirm).await
}

/// 意見を送る.
pub(crate) async fn comment(
    State(state): State<Shared>,
    me: Citizen,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Response {
    answer(state, me, id, &form.csrf, AnswerKind::Comment(form.comment)).await
}

async fn answer(state: Shared, me: Citizen, id: String, csrf: &str, kind: AnswerKind) -> Response {
    let page = me.page(&state);
    if !me.browser.form_token_ok(&state, csrf) {
        return bad_form_token(page);
    }
    let Ok(id) = id.parse::<i64>() else {
        return cannot_show(page, StatusCode::NOT_FOUND, "指定された計画はありません。");
    };
    let done = match kind {
        AnswerKind::Confirm => "confirmed",
        AnswerKind::Comment(_) => "commented",
    };
    let caller = me.caller;
    let answered = state
        .conn(move |_, conn| {
            Ok(kiban_app::careplan::answer_draft(
                conn,
                &caller,
                id,
                kind,
                at(),
            )?)
        })
        .await;
    match answered {
        Ok(Outcome::Allowed(_)) => {
            Redirect::to(&format!("/me/careplans?done={done}#plan-{id}")).into_response()
        }
        Ok(Outcome::Denied(denied)) => {
            let status = match denied.reason {
                "COMMENT_LENGTH" => StatusCode::UNPROCESSABLE_ENTITY,
                "PLAN_NOT_FOUND" => StatusCode::NOT_FOUND,
                "NOT_AWAITING_ANSWER" => StatusCode::CONFLICT,
                _ => StatusCode::FORBIDDEN,
            };
            cannot_show(page, status, &denied.message_ja)
        }
        Err(e) => read_failed(page, &e),
    }
}

pub(crate) async fn life(State(state): State<Shared>, me: Citizen) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| Ok(kiban_app::life::feedback(conn, &caller, person, at())?))
        .await;
    match read {
        Ok(Outcome::Allowed(sheets)) => respond(
            StatusCode::OK,
            &LifePage {
                page,
                sheets: cp::life(&sheets),
            },
        ),
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

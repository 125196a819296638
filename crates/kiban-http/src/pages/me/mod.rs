//! The citizen portal's pages after login: わたしの情報 (`/me`), 同意の一覧と撤回
//! (`/me/consents`), やりとり履歴 (`/me/history`) and the download (`/me/download`). Each reads
//! through the same `kiban_app` use case as the API route of the same name, with the person
//! as caller, so the policy decides and the audit log records every page view.

pub(crate) mod applications;
pub(crate) mod careplans;
pub(crate) mod login;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Outcome;
use kiban_app::citizen::HistoryLine;
use kiban_domain::access::{CardLoginReason, Reason, Timestamp};
use serde::Deserialize;

use crate::pages::me::login::{Citizen, CsrfForm};
use crate::pages::office::summary::{sections, Section};
use crate::pages::session::bad_form_token;
use crate::pages::view::{cannot_show, page_templates, read_failed, respond, wareki, Page};
use crate::state::{now, Shared};

/// History lines per page: short enough to read without losing one's place.
const HISTORY_PAGE: u32 = 20;

#[derive(Template)]
#[template(path = "pages/me/home.html")]
pub(crate) struct HomePage {
    page: Page,
    as_of: String,
    sections: Vec<Section>,
    refused: Option<String>,
}

pub(crate) struct ConsentRow {
    id: i64,
    office: String,
    category: String,
    granted: String,
    /// "" while in force, else when it was revoked.
    revoked: String,
}

#[derive(Template)]
#[template(path = "pages/me/consents.html")]
pub(crate) struct ConsentsPage {
    page: Page,
    rows: Vec<ConsentRow>,
    done: bool,
}

pub(crate) struct HistoryRow {
    when: String,
    who: String,
    job: String,
    what: String,
    action: String,
    allowed: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "pages/me/history.html")]
pub(crate) struct HistoryPage {
    page: Page,
    rows: Vec<HistoryRow>,
    next: Option<u64>,
    first: bool,
}

page_templates!(HomePage, ConsentsPage, HistoryPage);

pub(crate) async fn home(State(state): State<Shared>, me: Citizen) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::qualification::read_summary(conn, &caller, person, at)?;
            Ok((outcome, at.jst_date()))
        })
        .await;
    let template = match read {
        Ok((Outcome::Allowed(summary), today)) => HomePage {
            page,
            as_of: wareki(today),
            sections: sections(&summary, today),
            refused: None,
        },
        Ok((Outcome::Denied(denied), today)) => HomePage {
            page,
            as_of: wareki(today),
            sections: Vec::new(),
            refused: Some(denied.message_ja),
        },
        Err(e) => return read_failed(page, &e),
    };
    respond(StatusCode::OK, &template)
}

#[derive(Deserialize)]
pub(crate) struct ConsentsQuery {
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn consents(
    State(state): State<Shared>,
    me: Citizen,
    Query(q): Query<ConsentsQuery>,
) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::citizen::my_consents(conn, &caller, person, at)?;
            let Outcome::Allowed(consents) = outcome else {
                return Ok(Err(()));
            };
            let names =
                kiban_app::citizen::office_names(conn, consents.iter().map(|c| c.office.as_str()))?;
            let mut rows: Vec<ConsentRow> = consents
                .into_iter()
                .map(|c| ConsentRow {
                    id: c.id,
                    office: names.get(&c.office).cloned().unwrap_or(c.office),
                    category: c.category.label().to_string(),
                    granted: when(c.granted_at_ms),
                    revoked: c.revoked_at_ms.map(when).unwrap_or_default(),
                })
                .collect();
            // By office, then category; in-force consents before revoked ones.
            rows.sort_by(|a, b| {
                let key =
                    |r: &ConsentRow| (r.office.clone(), !r.revoked.is_empty(), r.category.clone());
                key(a).cmp(&key(b))
            });
            Ok(Ok(rows))
        })
        .await;
    match read {
        Ok(Ok(rows)) => respond(
            StatusCode::OK,
            &ConsentsPage {
                page,
                rows,
                done: q.done.is_some(),
            },
        ),
        Ok(Err(())) => cannot_show(page, StatusCode::FORBIDDEN, "同意の一覧を表示できません。"),
        Err(e) => read_failed(page, &e),
    }
}

/// 撤回: effective on the office's very next request (`qualification::revoke_consent`).
pub(crate) async fn revoke(
    State(state): State<Shared>,
    me: Citizen,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let page = me.page(&state);
    if !me.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(page);
    }
    let Ok(id) = id.parse::<i64>() else {
        return cannot_show(page, StatusCode::NOT_FOUND, "指定された同意はありません。");
    };
    let (caller, person) = (me.caller, me.person);
    let done = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::qualification::revoke_consent(
                conn, &caller, person, id, at,
            )?)
        })
        .await;
    match done {
        Ok(Outcome::Allowed(())) => Redirect::to("/me/consents?done=1").into_response(),
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

#[derive(Deserialize)]
pub(crate) struct HistoryQuery {
    before: Option<u64>,
}

pub(crate) async fn history(
    State(state): State<Shared>,
    me: Citizen,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::citizen::access_history(
                conn,
                &caller,
                person,
                q.before,
                HISTORY_PAGE,
                at,
            )?)
        })
        .await;
    match read {
        Ok(Outcome::Allowed(lines)) => {
            let next = (lines.len() == HISTORY_PAGE as usize)
                .then(|| lines.last().map(|l| l.seq))
                .flatten();
            let rows = lines.into_iter().map(history_row).collect();
            let first = q.before.is_none();
            respond(
                StatusCode::OK,
                &HistoryPage {
                    page,
                    rows,
                    next,
                    first,
                },
            )
        }
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

fn history_row(l: HistoryLine) -> HistoryRow {
    // A failed card login carries a card-login code; everything else an access-policy code.
    let reason = Reason::from_code(&l.reason)
        .map(|r| r.message_ja())
        .or_else(|| CardLoginReason::from_code(&l.reason).map(|r| r.message_ja()))
        .unwrap_or("")
        .to_string();
    let action = match l.action.as_str() {
        "read" => "見る",
        "export" => "ダウンロード",
        "write" => "登録",
        "enrol" => "同意・担当の登録や撤回",
        "login" => "ログイン",
        _ => "その他",
    };
    HistoryRow {
        when: when(l.at_ms),
        who: l.who,
        job: l.job,
        what: l.category,
        action: action.to_string(),
        allowed: l.allowed,
        reason,
    }
}

/// All my data as a JSON file: the API's download, audited as an export.
pub(crate) async fn download(State(state): State<Shared>, me: Citizen) -> Response {
    let page = me.page(&state);
    let (caller, person) = (me.caller, me.person);
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::citizen::my_data(conn, &caller, person, at)?)
        })
        .await;
    match read {
        Ok(Outcome::Allowed(data)) => {
            let body = serde_json::to_string_pretty(&data).unwrap_or_default();
            let disposition = format!(
                "attachment; filename=\"kiban-mydata-{}.json\"",
                data.insured
            );
            let disposition = HeaderValue::from_str(&disposition)
                .unwrap_or(HeaderValue::from_static("attachment"));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Ok(Outcome::Denied(denied)) => cannot_show(page, StatusCode::FORBIDDEN, &denied.message_ja),
        Err(e) => read_failed(page, &e),
    }
}

/// "令和8年11月25日 14:05" (JST).
fn when(at_ms: i64) -> String {
    let at = Timestamp::from_millis(at_ms);
    let minutes = (at_ms + 9 * 3_600_000).rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        wareki(at.jst_date()),
        minutes / 60,
        minutes % 60
    )
}

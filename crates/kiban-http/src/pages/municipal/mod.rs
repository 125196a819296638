//! 保険者ポータル for municipal staff: login (職員ID + パスワード + ワンタイムパスワード; no
//! client certificate, the API's rule), logout, the menu and the import history.
//!
//! Municipal staff must state a 利用目的 for every access to personal data. The API takes it
//! from the `x-kiban-purpose` header; these pages take it from a required field of each form
//! that reads or writes a person ([`MunicipalStaff::caller`]), so the purpose reaches the policy
//! actor and the audit log. The menu and the import history show no person's data and need none.

pub(crate) mod applications;
pub(crate) mod careplan_tables;
pub(crate) mod careplans;
pub(crate) mod import;
pub(crate) mod opinion;
pub(crate) mod person;
pub(crate) mod survey;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Caller;
use kiban_domain::access::Purpose;
use kiban_domain::ids::InsurerNumber;

use crate::error::{ApiError, ErrorCode};
use crate::extract::{actor_of, client_cert, StaffCaller};
use crate::pages::login::{LoginErrors, LoginTemplate, Portal};
use crate::pages::office::TokenForm;
use crate::pages::session::{set_cookie, Browser, SESSION_COOKIE};
use crate::pages::view::{error_page, grouped, page_templates, respond, Page};
use crate::state::Shared;
use crate::tls::ClientCert;
use kiban_app::auth::StaffIdentity;

pub(crate) const PORTAL: &str = "保険者ポータル";
const LOGIN: &str = "/municipal/login";
const LOGOUT: &str = "/municipal/logout";
const NOT_MUNICIPAL: &str = "この画面は保険者（市町村）の職員用です。";
/// Import log rows read for the history; other insurers' rows are dropped after reading.
const HISTORY_READ: u32 = 500;
const HISTORY_SHOWN: usize = 50;

/// A logged-in municipal staff member. The account is checked like the API's (remembered
/// check, store, revocation); the policy actor is built per request, with that request's
/// purpose.
pub(crate) struct MunicipalStaff {
    pub staff_id: String,
    pub insurer: InsurerNumber,
    pub browser: Browser,
    identity: StaffIdentity,
    cert: ClientCert,
}

impl MunicipalStaff {
    /// The policy caller for one access to personal data under `purpose`.
    pub fn caller(&self, purpose: Purpose) -> Result<Caller, ApiError> {
        let actor = actor_of(&self.identity, &self.cert, Some(purpose.code()))?;
        Ok(Caller {
            actor,
            account: self.staff_id.clone(),
        })
    }

    /// The layout context of a logged-in console page.
    pub fn page(&self, state: &Shared) -> Page {
        Page::new(state, &self.browser, PORTAL)
            .with_staff(&self.staff_id)
            .with_logout(LOGOUT)
    }

    /// The console's error page for `e`, titled with what could not be done.
    pub fn error_page(&self, state: &Shared, title: &str, e: &ApiError) -> Response {
        let page = self.page(state);
        error_page(page, e.code.status(), title, e.code.message_ja())
    }
}

impl axum::extract::FromRequestParts<Shared> for MunicipalStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let browser = Browser::of(parts);
        let Some(token) = browser.session.clone() else {
            return Err(Redirect::to(LOGIN).into_response());
        };
        let refuse = |status, message: &str| {
            let page = Page::new(state, &browser, PORTAL);
            error_page(page, status, "この画面を利用できません", message)
        };
        let identity = match StaffCaller::identity(state, token).await {
            Ok(identity) => identity,
            Err(e) if e.code == ErrorCode::Unauthenticated => {
                // Expired or logged out elsewhere: drop the stale cookie and log in again.
                let clear = set_cookie(SESSION_COOKIE, "", 0);
                return Err(([(header::SET_COOKIE, clear)], Redirect::to(LOGIN)).into_response());
            }
            Err(e) => return Err(refuse(e.code.status(), e.code.message_ja())),
        };
        if !identity.is_municipal() {
            return Err(refuse(StatusCode::FORBIDDEN, NOT_MUNICIPAL));
        }
        let Some(insurer) = identity.insurer() else {
            return Err(refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal.message_ja(),
            ));
        };
        Ok(Self {
            staff_id: identity.staff_id().to_string(),
            insurer,
            browser,
            identity,
            cert: client_cert(parts),
        })
    }
}

/// The purpose select's options, with the chosen one marked.
pub(crate) struct PurposeOption {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub(crate) fn purpose_options(chosen: &str) -> Vec<PurposeOption> {
    Purpose::ALL
        .iter()
        .map(|p| PurposeOption {
            code: p.code(),
            label: p.label(),
            selected: p.code() == chosen,
        })
        .collect()
}

/// A posted purpose, or the message shown next to the select.
pub(crate) fn parse_purpose(raw: &str) -> Result<Purpose, &'static str> {
    Purpose::from_code(raw.trim()).map_err(|_| "利用目的を選んでください。")
}

#[derive(Template)]
#[template(path = "pages/municipal/login.html")]
pub(crate) struct LoginPage {
    page: Page,
    staff_id: String,
    errors: LoginErrors,
}

/// One row of the import history.
pub(crate) struct ImportRow {
    id: i64,
    file_name: String,
    status: &'static str,
    finished_at: String,
    total: String,
    inserted: String,
    unchanged: String,
    withdrawn: String,
    rejected: String,
}

#[derive(Template)]
#[template(path = "pages/municipal/history.html")]
pub(crate) struct HistoryPage {
    page: Page,
    insurer: String,
    rows: Vec<ImportRow>,
}

page_templates!(LoginPage, HistoryPage);

impl LoginTemplate for LoginPage {
    /// Municipal staff only.
    const PORTAL: Portal = Portal {
        name: PORTAL,
        kinds: &[kiban_domain::access::StaffKind::MunicipalStaff],
        wrong_kind: NOT_MUNICIPAL,
        home: "/municipal",
    };

    fn new(page: Page, staff_id: String, errors: LoginErrors) -> Self {
        Self {
            page,
            staff_id,
            errors,
        }
    }
}

/// Ends the session as the office logout does, then returns to this portal's login.
pub(crate) async fn logout(
    state: State<Shared>,
    browser: Browser,
    form: Form<TokenForm>,
) -> Response {
    let response = crate::pages::office::logout(state, browser, form).await;
    if response.status().is_redirection() {
        let clear = set_cookie(SESSION_COOKIE, "", 0);
        return ([(header::SET_COOKIE, clear)], Redirect::to(LOGIN)).into_response();
    }
    response
}

/// The menu: upload, person search, import history.
pub(crate) async fn home(State(state): State<Shared>, staff: MunicipalStaff) -> Response {
    let template = crate::pages::municipal::import::upload_form(&state, &staff, None);
    respond(StatusCode::OK, &template)
}

/// The latest imports of the staff's own 保険者. Counts only, no person's data: no purpose.
pub(crate) async fn history(State(state): State<Shared>, staff: MunicipalStaff) -> Response {
    let own = staff.insurer;
    let insurer = own.to_string();
    let read = state
        .conn(move |_, conn| Ok(kiban_app::import::recent_imports(conn, own, HISTORY_READ)?))
        .await;
    let records = match read {
        Ok(records) => records,
        Err(e) => return staff.error_page(&state, "取込履歴を表示できません", &e),
    };
    let count = |n: i64| grouped(u64::try_from(n).unwrap_or(0));
    let rows = records
        .into_iter()
        .take(HISTORY_SHOWN)
        .map(|r| ImportRow {
            id: r.id,
            status: match r.status {
                kiban_app::import::ImportStatus::Committed => "登録済み",
                kiban_app::import::ImportStatus::Rejected => "中止（登録なし）",
            },
            finished_at: r.finished_at,
            total: count(r.rows_total),
            inserted: count(r.rows_inserted),
            unchanged: count(r.rows_unchanged),
            withdrawn: count(r.rows_withdrawn),
            rejected: count(r.rows_rejected),
            file_name: r.file_name,
        })
        .collect();
    let template = HistoryPage {
        page: staff.page(&state),
        insurer,
        rows,
    };
    respond(StatusCode::OK, &template)
}

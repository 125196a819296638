//! What every page shares: the layout's context ([`Page`]), rendering, the error page, and the
//! formatting of dates (和暦) and amounts (thousands separators) for Japanese readers.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kiban_domain::date::{wareki, Date};

use crate::pages::session::{set_cookie, Browser, PRE_COOKIE};
use crate::state::Shared;

/// How long the pre-login cookie that binds the login form's token lives.
const PRE_COOKIE_S: i64 = 12 * 60 * 60;

/// The layout's context: text size, the form token, the portal's name and who is logged in.
pub(crate) struct Page {
    pub large_text: bool,
    /// The form token for this browser; empty where the layout shows no forms (404).
    pub csrf: String,
    /// This page's path and query, where the text-size toggle returns to.
    pub here: String,
    /// Shown after the platform's name in the header; empty on the start page.
    pub portal: &'static str,
    /// The logged-in staff ID, for the header and its logout button.
    pub staff: Option<String>,
    /// Where the header's logout button posts: each portal returns to its own login page.
    pub logout: &'static str,
    /// A pre-login cookie to set with this page, when the browser had none to bind forms to.
    cookie: Option<HeaderValue>,
}

impl Page {
    /// A page with forms: binds the form token to the session, or to a new pre-login cookie.
    pub fn new(state: &Shared, browser: &Browser, portal: &'static str) -> Self {
        let (binding, cookie) = match browser.binding() {
            Some(binding) => (binding.to_string(), None),
            None => {
                let pre = kiban_crypto::BearerToken::random();
                let pre = pre.expose().to_string();
                let cookie = set_cookie(PRE_COOKIE, &pre, PRE_COOKIE_S);
                (pre, Some(cookie))
            }
        };
        Self {
            large_text: browser.large_text,
            csrf: state.form_key.tag(&binding),
            here: browser.here.clone(),
            portal,
            staff: None,
            logout: "/office/logout",
            cookie,
        }
    }

    /// A page without forms (no form token, no cookie).
    pub fn plain(browser: &Browser, portal: &'static str) -> Self {
        Self {
            large_text: browser.large_text,
            csrf: String::new(),
            here: browser.here.clone(),
            portal,
            staff: None,
            logout: "/office/logout",
            cookie: None,
        }
    }

    pub fn with_staff(mut self, staff_id: &str) -> Self {
        self.staff = Some(staff_id.to_string());
        self
    }

    /// A logged-in page of a portal whose logout is not the office one.
    pub fn with_logout(mut self, logout: &'static str) -> Self {
        self.logout = logout;
        self
    }
}

/// A template with the layout's context.
pub(crate) trait PageTemplate: Template {
    fn page(&self) -> &Page;
}

/// Implements [`PageTemplate`] for templates whose layout context is the field `page`.
macro_rules! page_templates {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::pages::view::PageTemplate for $t {
            fn page(&self) -> &$crate::pages::view::Page {
                &self.page
            }
        })*
    };
}
pub(crate) use page_templates;

/// The rendered page with `status`, and the pre-login cookie if the page made one.
pub(crate) fn respond(status: StatusCode, template: &impl PageTemplate) -> Response {
    let body = match template.render() {
        Ok(body) => body,
        Err(e) => {
            // A template error is a bug of ours; the message names no personal data.
            eprintln!("kiban-http: page template: {e}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "サーバ内部でエラーが発生しました",
            )
                .into_response();
        }
    };
    let mut response = (status, Html(body)).into_response();
    if let Some(cookie) = &template.page().cookie {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    response
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub(crate) struct ErrorPage {
    pub page: Page,
    pub title: String,
    pub message: String,
}

page_templates!(ErrorPage);

/// A page that says what went wrong, in plain Japanese.
pub(crate) fn error_page(page: Page, status: StatusCode, title: &str, message: &str) -> Response {
    respond(
        status,
        &ErrorPage {
            page,
            title: title.to_string(),
            message: message.to_string(),
        },
    )
}

/// A read a page cannot show (refused, or failed), in plain Japanese.
pub(crate) fn cannot_show(page: Page, status: StatusCode, message: &str) -> Response {
    error_page(page, status, "情報を表示できません", message)
}

/// A read that failed for a system reason (the store, the audit log): its status and message.
pub(crate) fn read_failed(page: Page, e: &crate::error::ApiError) -> Response {
    cannot_show(page, e.code.status(), e.code.message_ja())
}

/// "令和7年4月1日".
pub(crate) fn wareki(d: Date) -> String {
    wareki::format_kanji(d)
}

/// A stored YYYYMMDD in 和暦; a value that does not parse is shown as stored.
pub(crate) fn wareki_yyyymmdd(stored: &str) -> String {
    Date::parse_yyyymmdd(stored)
        .map(wareki)
        .unwrap_or_else(|_| stored.to_string())
}

/// "令和7年4月1日〜令和8年3月31日"; an open end is left blank after the dash.
pub(crate) fn period(from: Date, to: Option<Date>) -> String {
    match to {
        Some(to) => format!("{}〜{}", wareki(from), wareki(to)),
        None => format!("{}〜", wareki(from)),
    }
}

/// 1234567 → "1,234,567".
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    // The leading group has 1–3 digits, every later one exactly 3.
    let head = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        h => h,
    };
    let mut out = digits[..head].to_string();
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).expect("ASCII digits"));
    }
    out
}

/// "12,345円".
pub(crate) fn yen(n: u32) -> String {
    format!("{}円", grouped(u64::from(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(36_217), "36,217");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(yen(200_000), "200,000円");
    }

    #[test]
    fn dates_are_written_in_the_japanese_era() {
        let d = Date::parse_yyyymmdd("20190501").unwrap();
        assert_eq!(wareki(d), "令和元年5月1日");
        let to = Date::parse_yyyymmdd("20270331").unwrap();
        assert_eq!(period(d, Some(to)), "令和元年5月1日〜令和9年3月31日");
    }
}

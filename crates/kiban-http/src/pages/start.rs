//! The start page and the text-size preference.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::pages::session::{bad_form_token, set_cookie, Browser, TEXT_COOKIE};
use crate::pages::view::{page_templates, respond, Page};
use crate::state::Shared;

/// The large-text preference is kept for a year: it is a reading aid, not a secret.
const TEXT_COOKIE_S: i64 = 365 * 24 * 60 * 60;

#[derive(Template)]
#[template(path = "pages/start.html")]
pub(crate) struct StartPage {
    page: Page,
}

page_templates!(StartPage);

pub(crate) async fn index(State(state): State<Shared>, browser: Browser) -> Response {
    let page = Page::new(&state, &browser, "");
    respond(StatusCode::OK, &StartPage { page })
}

/// The text-size form. No `Debug`: it carries the form token.
#[derive(Deserialize)]
pub(crate) struct TextSizeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    pub(super) back: String,
}

/// Switches large text on or off with a cookie, then returns to the page the form was on.
pub(crate) async fn text_size(
    State(state): State<Shared>,
    browser: Browser,
    Form(form): Form<TextSizeForm>,
) -> Response {
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(Page::new(&state, &browser, ""));
    }
    let cookie = if form.size == "large" {
        set_cookie(TEXT_COOKIE, "large", TEXT_COOKIE_S)
    } else {
        set_cookie(TEXT_COOKIE, "", 0)
    };
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(local(&form.back)),
    )
        .into_response()
}

/// Only a path on this site: anything else (another host, `//host`, a backslash trick) goes
/// to the start page, so the form cannot be used as an open redirect.
pub(super) fn local(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn back_stays_on_this_site() {
        assert_eq!(
            super::local("/office/persons?insurer=131011"),
            "/office/persons?insurer=131011"
        );
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "office",
        ] {
            assert_eq!(super::local(bad), "/", "{bad}");
        }
    }
}

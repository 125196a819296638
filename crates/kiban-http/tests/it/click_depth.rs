//! "No page needs more than 3 clicks from the start page": for each portal, a logged-in
//! browser follows only the links (`<a href>`) of the pages, breadth first from `/`, and every
//! page of the portal must be reached within 3 clicks. Logging in is the session, not a click;
//! pages of one person (`/office/persons/…`) are reached through 資格確認, not by links.

use std::collections::{BTreeMap, VecDeque};

use crate::medical_pages::{hospital_browser, hospital_with_staff};
use crate::page_browser::{citizen_login, Browser};
use crate::support::{Fixture, INSURER, OFFICE, PASSWORD};

const MAX_CLICKS: usize = 3;

/// Every same-site page link of `body` under one of `prefixes`.
fn links<'a>(body: &'a str, prefixes: &[&str]) -> Vec<&'a str> {
    body.split(r#"href=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| prefixes.iter().any(|p| href.starts_with(p)))
        .filter(|href| !href.starts_with("/static/"))
        .collect()
}

/// The fewest clicks from `/` to each page under `prefixes` (and `/` itself).
async fn click_depths(browser: &mut Browser, prefixes: &[&str]) -> BTreeMap<String, usize> {
    let mut depth = BTreeMap::from([("/".to_string(), 0)]);
    let mut queue = VecDeque::from(["/".to_string()]);
    while let Some(page) = queue.pop_front() {
        let clicks = depth[&page];
        if clicks == MAX_CLICKS {
            continue;
        }
        let answer = browser.get(&page).await;
        assert!(answer.status < 400, "{page} answered {}", answer.status);
        for href in links(&answer.body, prefixes) {
            // Without the query: a page is the same page whatever its parameters.
            let path = href.split('?').next().unwrap_or(href).to_string();
            if !depth.contains_key(&path) {
                depth.insert(path.clone(), clicks + 1);
                queue.push_back(path);
            }
        }
    }
    depth
}

fn assert_reached(depth: &BTreeMap<String, usize>, pages: &[&str]) {
    for page in pages {
        let clicks = depth.get(*page);
        assert!(
            clicks.is_some_and(|&c| c <= MAX_CLICKS),
            "{page} is not reachable within {MAX_CLICKS} clicks from the start page: {depth:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_portal_page_is_within_three_clicks_of_the_start_page() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("muni1", "municipal_staff", INSURER);

    let mut office = Browser::new(&fx, Some(OFFICE));
    let done = office.login("cm1", PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let depth = click_depths(&mut office, &["/office"]).await;
    assert_reached(
        &depth,
        &[
            "/office",
            "/office/served",
            "/office/match",
            "/office/careplans",
        ],
    );

    hospital_with_staff(&mut fx, "dr1");
    let mut physician = hospital_browser(&fx);
    let done = physician.login("dr1", PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let depth = click_depths(&mut physician, &["/office"]).await;
    assert_reached(&depth, &["/office", "/office/requests", "/office/match"]);

    let mut municipal = Browser::staff(&fx, "muni1");
    let page = municipal.get("/municipal/login").await;
    let csrf = page.csrf();
    // Each account spends its own TOTP steps, so cm1's code is still good for muni1.
    let totp = fx.totp_code();
    let form = [
        ("csrf", csrf.as_str()),
        ("staff_id", "muni1"),
        ("password", PASSWORD),
        ("totp", totp.as_str()),
    ];
    let done = municipal.post("/municipal/login", &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let depth = click_depths(&mut municipal, &["/municipal"]).await;
    assert_reached(
        &depth,
        &[
            "/municipal",
            "/municipal/imports",
            "/municipal/persons",
            "/municipal/careplans",
        ],
    );

    let mut citizen = citizen_login(&mut fx, 1).await;
    let depth = click_depths(&mut citizen, &["/me"]).await;
    assert_reached(
        &depth,
        &[
            "/me",
            "/me/consents",
            "/me/history",
            "/me/download",
            "/me/careplans",
            "/me/life",
        ],
    );
}

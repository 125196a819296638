//! The 保険者ポータル's login in a real browser (issue 13): municipal staff log in only from a
//! browser holding the staff certificate `kiban demo` issued for their account; without it the
//! right ID, password and TOTP code get the same message as wrong ones.

use anyhow::{ensure, Result};

use crate::client_cert::nss_home;
use crate::fixture::Fixture;
use crate::scenarios::{totp_now, SLOW};
use crate::webdriver::Browser;

const PASSWORD: &str = "kiban-demo-2026";

fn log_in(browser: &Browser, f: &Fixture, totp: &str) -> Result<()> {
    browser.navigate(&f.url("/municipal/login"))?;
    browser.wait_for("#staff_id", SLOW)?.send_keys("city01")?;
    browser.find("#password")?.send_keys(PASSWORD)?;
    browser.find("#totp")?.send_keys(totp)?;
    browser.find("main form button[type=submit]")?.click()
}

#[test]
fn municipal_staff_log_in_only_from_a_browser_holding_their_staff_certificate() -> Result<()> {
    let f = Fixture::start(
        "municipal_staff_log_in_only_from_a_browser_holding_their_staff_certificate",
    )?;
    let demo = f.seed_demo()?;
    let totp = totp_now(&demo.totp_secret("city01")?)?;

    // The fixture's own browser holds no certificate.
    log_in(&f.browser, &f, &totp)?;
    let error = f.browser.wait_for("#form-error", SLOW)?.text()?;
    ensure!(
        error.contains("いずれかが違います"),
        "without the staff certificate: {error:?}"
    );
    f.screenshot("01-without-the-staff-certificate")?;

    let (cert, key) = demo.staff_certificate("city01");
    let home = nss_home(&cert, &key)?;
    let city = f.another_browser("city", home.path())?;
    // A refused attempt without the device is not a use of the code: the same one works.
    log_in(&city, &f, &totp)?;
    // Only the portal's home has the import form; the login page has none.
    city.wait_for("form[action='/municipal/imports']", SLOW)?;
    let h1 = city.find("main h1")?.text()?;
    f.screenshot_of(&city, "02-with-the-staff-certificate")?;
    ensure!(
        h1.starts_with("保険者ポータル"),
        "the page after the login is {h1:?}"
    );
    Ok(())
}

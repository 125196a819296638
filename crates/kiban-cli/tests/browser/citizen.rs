//! The citizen portal in a real browser: the demo's card file is chosen in the file input, the
//! PIN typed, and `card.js` unseals the card with WebCrypto, signs the server's challenge and
//! submits; the person's 被保険者証 page must follow.

use anyhow::{ensure, Context, Result};
use std::time::Duration;

use crate::fixture::Fixture;

/// The demo's citizen (see `kiban demo`, `commands/demo_seed.rs`).
const DEMO_INSURED: &str = "0000100001";
const DEMO_PIN: &str = "1234";

/// PBKDF2 at 600,000 rounds plus a page load, on two busy cores.
const LOGIN: Duration = Duration::from_secs(30);

#[test]
fn citizen_logs_in_with_the_card_file_and_pin_in_the_browser() -> Result<()> {
    let f = Fixture::start("citizen_logs_in_with_the_card_file_and_pin_in_the_browser")?;
    let card = f.seed_demo()?.card(DEMO_INSURED);
    ensure!(
        card.exists(),
        "the demo wrote no card at {}",
        card.display()
    );

    f.browser.navigate(&f.url("/me"))?;
    // card.js shows the in-browser reader only when it runs.
    let file = f
        .browser
        .wait_for(
            "section[data-card-js]:not([hidden]) input[type=file]",
            LOGIN,
        )
        .context("the card reader section did not appear: card.js did not run (see last.html)")?;
    f.screenshot("01-login-page")?;
    file.send_keys(&card.display().to_string())?;
    let submit = "form[data-card-login] > button[type=submit]";

    // A wrong PIN: the AES-GCM tag does not verify in the browser, nothing is sent, and the
    // page says so in Japanese with an emptied PIN field.
    f.browser.find("#card_pin")?.send_keys("9999")?;
    f.browser.find(submit)?.click()?;
    let status = f
        .browser
        .wait_for_text("[data-card-status]", "暗証番号が違います", LOGIN)?;
    ensure!(
        f.browser.current_url()?.ends_with("/me/login"),
        "left the login page: {status}"
    );
    f.screenshot("02-wrong-pin")?;

    f.browser.find("#card_pin")?.send_keys(DEMO_PIN)?;
    f.screenshot("03-card-chosen-pin-typed")?;
    f.browser.find(submit)?.click()?;

    f.browser
        .wait_for("nav[aria-label='本人ポータルのメニュー']", LOGIN)
        .context("no portal page after the card login (see last.png and last.html)")?;
    let h1 = f.browser.find("h1")?.text()?;
    ensure!(
        h1.contains("わたしの介護保険の情報"),
        "the page after login is {h1:?}"
    );
    let body = f.browser.find("main")?.text()?;
    for text in ["被保険者証", "負担割合証", "住宅改修費", "令和"] {
        ensure!(body.contains(text), "the portal page lacks {text:?}");
    }
    let who = f.browser.find("header .who")?.text()?;
    ensure!(who.contains(DEMO_INSURED), "the header names {who:?}");
    ensure!(
        f.browser.current_url()?.ends_with("/me"),
        "not on /me after login"
    );
    f.screenshot("04-my-insured-card")?;

    f.browser.navigate(&f.url("/me/history"))?;
    let h1 = f.browser.wait_for("h1", LOGIN)?.text()?;
    ensure!(h1.contains("やりとり履歴"), "the history page is {h1:?}");
    f.screenshot("05-access-history")?;
    Ok(())
}

//! The person's care plans in a real browser on a 390 px phone: the demo's second citizen
//! (0000100002, see `commands/demo_careplan.rs`) logs in with the card, finds the issued plan and
//! the draft waiting for an answer at /me/careplans, agrees to the draft, and sees the answer
//! recorded with its time; the LIFE sheet is on /me/life. Every page must be usable at that width.

use anyhow::{ensure, Context, Result};

use crate::fixture::Fixture;
use crate::scenarios::{citizen_login, usable, SLOW};

const PERSON: &str = "0000100002";

#[test]
fn the_person_answers_a_draft_care_plan_on_a_phone() -> Result<()> {
    let f = Fixture::start("the_person_answers_a_draft_care_plan_on_a_phone")?;
    let demo = f.seed_demo()?;
    f.browser.set_window_size(390, 844)?;
    citizen_login(&f, &demo.card(PERSON))?;

    f.browser.navigate(&f.url("/me/careplans"))?;
    let main = f.browser.wait_for("main", SLOW)?.text()?;
    for text in [
        "確認待ち",
        "交付済",
        "入浴介助",
        "ひまわり訪問介護ステーション",
    ] {
        ensure!(main.contains(text), "/me/careplans lacks {text:?}: {main}");
    }
    usable(&f.browser, "the person's care plans at 390 px")?;
    f.screenshot("01-my-care-plans")?;

    let agree = f
        .browser
        .find("main form[action$='/confirm'] button[type=submit]")
        .context("no button to agree to the draft (see last.html)")?;
    agree.click()?;
    // The draft's page stays findable until the answer's page replaces it: wait for the answer.
    let after = f.browser.wait_for_text("main", "本人確認済", SLOW)?;
    ensure!(
        after.contains("本人確認済"),
        "the draft is not marked as agreed: {after}"
    );
    let waiting = f.browser.execute(
        "return document.querySelectorAll(\"main form[action$='/confirm']\").length;",
        vec![],
    )?;
    ensure!(
        waiting == 0,
        "a draft still waits for an answer ({waiting} forms)"
    );
    ensure!(
        after.contains("令和"),
        "the answer's time is not shown: {after}"
    );
    usable(&f.browser, "the answered care plan at 390 px")?;
    f.screenshot("02-draft-agreed")?;

    f.browser.navigate(&f.url("/me/life"))?;
    let life = f.browser.wait_for("main", SLOW)?.text()?;
    ensure!(
        life.contains("Barthel Index"),
        "/me/life lacks the demo sheet: {life}"
    );
    usable(&f.browser, "the person's LIFE sheets at 390 px")?;
    f.screenshot("03-my-life-sheet")?;
    Ok(())
}

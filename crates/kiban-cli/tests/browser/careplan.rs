//! The person's care plans in a real browser on a 390 px phone: the demo's second citizen
//! (0000100002, see `commands/demo_careplan.rs`) logs in with the card, finds the issued plan and
//! the draft waiting for an answer at /me/careplans, agrees to the draft, and sees the answer
//! recorded with its time; the LIFE sheet is on /me/life. Every page must be usable at that width.
//! And the official files: the demo care office uploads one transmission unit of the official
//! layout (UP1KYO, UP2KYO, UP3KYO and UPHOSOKU) through its page, and the person sees all three
//! tables.

use anyhow::{ensure, Context, Result};
use kiban_domain::careplan::PlanPerson;
use kiban_domain::codes::ServiceKind;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_interchange::careplan::{write_unit, Document, SendUnit, UnitHeader, UnitKind};
use kiban_testkit::careplan::documents;

use crate::client_cert::nss_home;
use crate::fixture::Fixture;
use crate::scenarios::{citizen_login, totp_now, usable, SLOW};

const PERSON: &str = "0000100002";
const CARE_OFFICE: &str = "1370000001";
const HOME_VISIT: &str = "1371000002";
const PASSWORD: &str = "kiban-demo-2026";

/// One official plan unit for the demo person, sent by the demo care office to its 訪問介護
/// office, written as files into `dir`: their paths.
fn official_plan_unit(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let person = PlanPerson {
        insurer: InsurerNumber::parse("131011")?,
        insured: InsuredNumber::parse(PERSON)?,
    };
    let care = OfficeNumber::parse(CARE_OFFICE)?;
    let helper = OfficeNumber::parse(HOME_VISIT)?;
    let date = Date::parse_yyyymmdd("20260215")?;
    let mut plan = documents::plan(
        person,
        date,
        care,
        (helper, "ひまわり訪問介護ステーション"),
        "公式様式で届いた計画の意向",
    );
    plan.week[2].daily_activity = "散歩（公式様式の第3表）".into();
    let supplement = documents::supplement(person, Some(date), None);
    let unit = SendUnit::from_documents(
        UnitHeader {
            unit: UnitKind::Plan,
            month: None,
            sender: care,
            sender_kind: ServiceKind::CareManagement,
            receiver: helper,
            receiver_kind: ServiceKind::HomeVisitCare,
            created: "20260215093000".into(),
        },
        vec![
            Document::Plan(Box::new(plan)),
            Document::Supplement(Box::new(supplement)),
        ],
    );
    let mut paths = Vec::new();
    for (name, bytes) in write_unit(&unit)? {
        let path = dir.join(&name);
        std::fs::write(&path, bytes)?;
        paths.push(path);
    }
    Ok(paths)
}

#[test]
fn an_official_unit_uploaded_by_the_office_shows_all_three_tables_to_the_person() -> Result<()> {
    let f = Fixture::start("an_official_unit_shows_all_three_tables")?;
    let demo = f.seed_demo()?;
    let (cert, key) = demo.office_certificate(CARE_OFFICE);
    let home = nss_home(&cert, &key)?;
    let office = f.another_browser("office", home.path())?;
    office.navigate(&f.url("/office/login"))?;
    office.wait_for("#staff_id", SLOW)?.send_keys("cm01")?;
    office.find("#password")?.send_keys(PASSWORD)?;
    office
        .find("#totp")?
        .send_keys(&totp_now(&demo.totp_secret("cm01")?)?)?;
    office.find("main form button[type=submit]")?.click()?;
    office.wait_for("h1", SLOW)?;

    let files = official_plan_unit(&f.artifact("."))?;
    ensure!(
        files.len() == 4,
        "UP1KYO, UP2KYO, UP3KYO, UPHOSOKU: {files:?}"
    );
    office.navigate(&f.url("/office/careplans"))?;
    let input = office.wait_for("#files", SLOW)?;
    let joined: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    input.send_keys(&joined.join("\n"))?;
    office.find("#registration-issue")?.click()?;
    office
        .find("main form[enctype='multipart/form-data'] button[type=submit]")?
        .click()?;
    let report = office.wait_for_text("main", "登録した利用者", SLOW)?;
    ensure!(
        report.contains("1人") && !report.contains("UNIT_REFUSED"),
        "the unit was not registered: {report}"
    );
    f.screenshot_of(&office, "01-office-uploaded-official-unit")?;

    f.browser.set_window_size(390, 844)?;
    citizen_login(&f, &demo.card(PERSON))?;
    f.browser.navigate(&f.url("/me/careplans"))?;
    let main = f.browser.wait_for("main", SLOW)?.text()?;
    for text in [
        "居宅サービス計画（令和8年2月15日作成）",
        "公式様式で届いた計画の意向",
        "ひとりで調理ができない",
        "第3表 週間サービス計画表",
        "月曜 09:00〜10:00",
        "散歩（公式様式の第3表）",
        "利用者補足情報（限度額）",
        "19705単位／月",
    ] {
        ensure!(main.contains(text), "/me/careplans lacks {text:?}: {main}");
    }
    usable(&f.browser, "the official plan's three tables at 390 px")?;
    f.screenshot("02-person-sees-three-tables")?;
    Ok(())
}

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

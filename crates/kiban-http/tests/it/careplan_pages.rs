//! The ケアプラン pages of the office and of the person over the real TLS server, with a
//! browser without JavaScript: the care manager uploads V4 files (written by
//! `kiban_interchange::careplan::write_unit`) and reads the report; the 訪問介護 office named in
//! the plan sees the issued plan but never the draft sent to the person; the person confirms one
//! draft and comments on another, and sees each answer with its time; a byte outside CP932 is
//! reported with its line and column. The municipal pages are in `careplan_municipal_pages`.

use kiban_app::careplan::{self as plans, Registration};
use kiban_domain::careplan::CarePlan;
use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::OfficeNumber;
use kiban_interchange::careplan::{
    write_unit, Document as V4Document, SendUnit, UnitHeader, UnitKind,
};

use crate::careplan_seed::{
    at, care_manager, d, person, plan, plan_doc, plan_supplement, register, register_service_use,
    seed, HELPER,
};
use crate::page_browser::{citizen_login, Answer, Browser};
use crate::support::{insured, Fixture, INSURER, OFFICE, PASSWORD};

/// The V4 files (第1表, 第2表, 第3表 and 補足) of one plan unit sent to the 訪問介護 office.
fn v4_files(n: u64, plan: CarePlan) -> Vec<(String, Vec<u8>)> {
    let header = UnitHeader {
        unit: UnitKind::Plan,
        month: None,
        sender: OfficeNumber::parse(OFFICE).unwrap(),
        sender_kind: ServiceKind::CareManagement,
        receiver: OfficeNumber::parse(HELPER).unwrap(),
        receiver_kind: ServiceKind::HomeVisitCare,
        created: "20260401090000".into(),
    };
    let supplement = plan_supplement(n, &plan.plan_date().yyyymmdd());
    let unit = SendUnit::from_documents(
        header,
        vec![
            V4Document::Plan(Box::new(plan)),
            V4Document::Supplement(Box::new(supplement)),
        ],
    );
    write_unit(&unit).unwrap()
}

/// Posts the upload form as a browser does (multipart/form-data, several files).
async fn upload(
    browser: &mut Browser,
    csrf: &str,
    registration: &str,
    files: &[(String, Vec<u8>)],
) -> Answer {
    let boundary = "kibanCarePlanBoundary2xQ9";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"registration\"\r\n\r\n{registration}\r\n"
    )
    .into_bytes();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = browser
        .client
        .post(format!("{}/office/careplans", browser.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    browser.send(request).await
}

async fn office_browser(fx: &Fixture, office: &str, staff_id: &str) -> Browser {
    let mut browser = Browser::new(fx, Some(office));
    let done = browser.login(staff_id, PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_named_office_sees_the_issued_plan_and_the_person_answers_drafts() {
    let mut fx = Fixture::sqlite().await;
    seed(&mut fx, 1);
    let care_plan = format!("/office/persons/{INSURER}/{}/views/care_plan", insured(1));

    // The care manager uploads the plan's V4 files (交付用登録) from the page.
    let mut cm = office_browser(&fx, OFFICE, "cm1").await;
    let home = cm.get("/office").await;
    assert!(
        home.body.contains(r#"<a href="/office/careplans">"#),
        "{}",
        home.body
    );
    let form = cm.get("/office/careplans").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(r#"name="files" type="file""#) && form.body.contains("multiple"));
    let files = v4_files(1, plan(1, "20260401", "自宅で暮らし続けたい"));
    assert!(
        files.len() >= 2,
        "第1表 and 第2表: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let report = upload(&mut cm, &form.csrf(), "issue", &files).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("送信結果（交付用登録）"),
        "{}",
        report.body
    );
    assert!(
        report
            .body
            .contains("<th scope=\"row\">登録した利用者</th><td>1人</td>"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("エラーはありません。"),
        "{}",
        report.body
    );

    // A draft for the person only, and the 利用票 for the 訪問介護 office.
    register(
        &mut fx,
        1,
        vec![plan_doc(plan(1, "20260501", "下書きの意向"))],
        Registration::ForConfirmation,
    );
    register_service_use(&mut fx, 1);

    // The 訪問介護 office: the issued plan and its 利用票, never the draft.
    let mut hv = office_browser(&fx, HELPER, "hv1").await;
    let inbox = hv.get("/office/careplans").await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    assert!(
        inbox.body.contains(&format!(r#"<a href="{care_plan}">"#)),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("令和8年4月分"), "{}", inbox.body);
    let page = hv.get(&care_plan).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "居宅サービス計画（令和8年4月1日作成）",
        "状態：交付済",
        "自宅で暮らし続けたい",
        "ひとりで調理ができない",
        "栄養のある食事をとれる（R8.4.1～R9.3.31）",
        "ひまわり訪問介護（1370000101）",
        "週2回",
        "要介護2",
        "令和8年4月1日〜令和9年3月31日",
        "令和8年4月分 サービス利用票（第6表・第7表）",
        "1日・8日／計2回",
        "第3表 週間サービス計画表",
        "月曜 09:00〜10:00",
        "起床・朝食",
        "第7表 全合計",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(
        !page.body.contains("令和8年5月1日作成"),
        "the draft is not the office's: {}",
        page.body
    );
    assert!(!page.body.contains("下書きの意向"));

    // The care manager who wrote it sees the draft too.
    let own = cm.get(&care_plan).await;
    assert!(
        own.body.contains("居宅サービス計画（令和8年5月1日作成）"),
        "{}",
        own.body
    );
    assert!(own.body.contains("状態：確認待ち"));

    // The person: both plans, the draft with its two forms.
    let mut me = citizen_login(&mut fx, 1).await;
    let home = me.get("/me").await;
    assert!(home.body.contains(r#"<a href="/me/careplans">"#));
    assert!(home.body.contains(r#"<a href="/me/life">"#));
    let mine = me.get("/me/careplans").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(mine.body.contains("居宅サービス計画（令和8年4月1日作成）"));
    assert!(mine.body.contains("下書きの意向"));
    assert_eq!(
        mine.body.matches("この計画に同意する").count(),
        1,
        "{}",
        mine.body
    );
    let draft = fx
        .conn(|s| plans::folder(s, &care_manager(), person(1), at()).unwrap())
        .allowed()
        .unwrap()
        .plans
        .into_iter()
        .find(|p| p.document.plan_date() == d("20260501"))
        .unwrap()
        .id;
    let confirm = format!("/me/careplans/{draft}/confirm");
    assert!(mine.body.contains(&format!(r#"action="{confirm}""#)));
    let csrf = mine.csrf();
    let done = me.post(&confirm, &[("csrf", csrf.as_str())]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location().starts_with("/me/careplans?done=confirmed"));
    let after = me.get("/me/careplans?done=confirmed").await;
    assert!(after
        .body
        .contains("計画に同意しました。ケアマネジャーに伝わります。"));
    assert!(after.body.contains("状態：本人確認済"), "{}", after.body);
    let today = kiban_domain::date::wareki::format_kanji(at().jst_date());
    let answered = after
        .body
        .split("<ul class=\"answers\">")
        .nth(1)
        .expect("the answer is listed");
    assert!(
        answered.contains(&today) && answered.contains("計画に同意しました"),
        "{answered}"
    );
    assert!(answered.contains(':'), "with the time: {answered}");
    assert!(
        !after.body.contains("この計画に同意する"),
        "answered: no more forms"
    );
    // Answering twice is refused.
    let again = me.post(&confirm, &[("csrf", csrf.as_str())]).await;
    assert_eq!(again.status, 409, "{}", again.body);

    // A second draft, answered with a comment.
    register(
        &mut fx,
        1,
        vec![plan_doc(plan(1, "20260601", "二つ目の案"))],
        Registration::ForConfirmation,
    );
    let mine = me.get("/me/careplans").await;
    let second = mine
        .body
        .split("/comment\"")
        .next()
        .and_then(|s| s.rsplit("/me/careplans/").next())
        .unwrap()
        .to_string();
    let comment = format!("/me/careplans/{second}/comment");
    let empty = me
        .post(&comment, &[("csrf", csrf.as_str()), ("comment", " ")])
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let text = "デイサービスも入れてほしいです";
    let done = me
        .post(&comment, &[("csrf", csrf.as_str()), ("comment", text)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = me.get("/me/careplans?done=commented").await;
    assert!(after.body.contains("状態：本人意見あり"), "{}", after.body);
    assert!(after.body.contains("計画に意見を伝えました") && after.body.contains(text));

    // The care manager sees the answer; the 訪問介護 office still sees neither draft.
    let own = cm.get(&care_plan).await;
    assert!(
        own.body.contains(text) && own.body.contains("計画に同意しました"),
        "{}",
        own.body
    );
    let page = hv.get(&care_plan).await;
    assert!(!page.body.contains(text) && !page.body.contains("二つ目の案"));
    // …and on the office page, without opening the person: one agreed, one answered.
    let status = cm.get("/office/careplans").await;
    assert!(status.body.contains("同意・確認の状況"), "{}", status.body);
    assert!(
        status.body.contains("本人確認済")
            && status.body.contains("本人意見あり")
            && status.body.contains(text),
        "{}",
        status.body
    );
    let theirs = hv.get("/office/careplans").await;
    assert!(theirs
        .body
        .contains("ご本人の確認を求めている計画はありません。"));

    let life = me.get("/me/life").await;
    assert_eq!(life.status, 200, "{}", life.body);
    assert!(life.body.contains("LIFE のフィードバックはありません。"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_outside_cp932_is_reported_with_its_line_and_column() {
    let mut fx = Fixture::sqlite().await;
    seed(&mut fx, 4);
    let mut files = v4_files(4, plan(4, "20260401", "意向QZQZ"));
    // 0x85 0x40 is no CP932 character (an unassigned row).
    let (name, bytes) = files
        .iter_mut()
        .find(|(_, b)| b.windows(4).any(|w| w == b"QZQZ"))
        .expect("the 第1表 holds the marker");
    let pos = bytes.windows(4).position(|w| w == b"QZQZ").unwrap();
    bytes[pos..pos + 4].copy_from_slice(&[0x85, 0x40, 0x85, 0x40]);
    let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let start = bytes[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = bytes[start..pos].iter().filter(|&&b| b == b',').count() + 1;
    let name = name.clone();

    let mut cm = office_browser(&fx, OFFICE, "cm1").await;
    let form = cm.get("/office/careplans").await;
    let report = upload(&mut cm, &form.csrf(), "issue", &files).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report
            .body
            .contains("<th scope=\"row\">登録した利用者</th><td>0人</td>"),
        "{}",
        report.body
    );
    let row = report
        .body
        .split("<tr>")
        .find(|r| r.contains("CHARACTER_INVALID"))
        .unwrap_or_else(|| panic!("the issue is listed: {}", report.body));
    assert!(row.contains(&name), "{row}");
    assert!(row.contains(&format!(">{line}行目<")), "line {line}: {row}");
    assert!(
        row.contains(&format!(">{column}列目")),
        "column {column}: {row}"
    );
    assert!(row.contains(&format!("{INSURER}・{}", insured(4))), "{row}");

    // Nothing of the person was written.
    let folder = fx
        .conn(|s| plans::folder(s, &care_manager(), person(4), at()).unwrap())
        .allowed()
        .unwrap();
    assert!(folder.plans.is_empty());

    // Without a registration kind nothing is sent.
    let form = cm.get("/office/careplans").await;
    let wrong = upload(&mut cm, &form.csrf(), "", &files).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
}

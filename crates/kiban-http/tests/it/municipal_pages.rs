//! The 保険者ポータル over the real TLS server: municipal login with the account's staff certificate,
//! file upload through the CLI's import (report with a rejected line, another insurer's file
//! refused), person search with a mandatory 利用目的 that reaches the audit log, card linking,
//! form tokens, and office staff kept out.

use kiban_domain::access::Timestamp;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{current_as_of, RecordBody, RecordKind};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};

use crate::page_browser::{Answer, Browser};
use crate::support::{insured, now, now_ms, pin, Fixture, INSURER, OFFICE, PASSWORD};

/// Posts the upload form as a browser does (multipart/form-data).
async fn upload(browser: &mut Browser, csrf: &str, file_name: &str, bytes: &[u8]) -> Answer {
    let boundary = "kibanTestBoundary7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = browser
        .client
        .post(format!("{}/municipal/imports", browser.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    browser.send(request).await
}

/// Opens a login page (`/municipal/login` or `/office/login`) and submits it.
async fn login(browser: &mut Browser, path: &str, staff_id: &str, totp: &str) -> Answer {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("staff_id", staff_id),
        ("password", PASSWORD),
        ("totp", totp),
    ];
    browser.post(path, &form).await
}

/// A small 被保険者証 file of the fixture's insurer, with one broken line appended: (the
/// file's text, the broken line's number).
fn file_with_a_broken_line() -> (String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        persons: 3,
        seed: 77,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261120090000".into(),
        as_of: kiban_domain::Date::parse_yyyymmdd("20261101").unwrap(),
    };
    let files = generate(dir.path(), &options, &mut |_| {}).unwrap().files;
    let (hiho, _) = files
        .iter()
        .find(|(f, _)| {
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("HIHO_")
        })
        .unwrap();
    let mut text = std::fs::read_to_string(hiho).unwrap();
    let broken = text.lines().count() as u64 + 1;
    text.push_str("broken\n");
    (text, broken)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn municipal_staff_upload_files_of_their_own_insurer_and_see_the_report() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("muni1", "municipal_staff", INSURER);
    // The municipal terminal presents the account's own staff certificate.
    let mut browser = Browser::staff(&fx, "muni1");
    let entered = login(&mut browser, "/municipal/login", "muni1", &fx.totp_code()).await;
    assert_eq!(
        (entered.status, entered.location()),
        (303, "/municipal"),
        "{}",
        entered.body
    );
    let home = browser.get("/municipal").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("保険者ポータル（保険者番号 131011）"));
    let csrf = home.csrf();

    let (text, broken) = file_with_a_broken_line();
    let missing = upload(
        &mut browser,
        "",
        "HIHO_131011_SABUN_20261120090000.csv",
        text.as_bytes(),
    )
    .await;
    assert_eq!(missing.status, 403, "no form token: {}", missing.body);

    let other = upload(
        &mut browser,
        &csrf,
        "HIHO_131029_SABUN_20261120090000.csv",
        text.as_bytes(),
    )
    .await;
    assert_eq!(other.status, 403, "{}", other.body);
    assert!(
        other.body.contains("保険者番号 131029 のファイルです"),
        "{}",
        other.body
    );
    assert!(
        other.body.contains(r#"id="file-error""#),
        "the message is next to the field"
    );

    let report = upload(
        &mut browser,
        &csrf,
        "HIHO_131011_SABUN_20261120090000.csv",
        text.as_bytes(),
    )
    .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("取込結果：取り込みました"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains(&format!("<td>{broken}行目</td>")),
        "{}",
        report.body
    );
    assert!(report.body.contains("<td>エラー</td>"), "{}", report.body);
    assert!(
        report.body.contains("<td>COLUMN_COUNT</td>"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("ではなく1です</td>"),
        "the Japanese message: {}",
        report.body
    );
    assert!(
        report.body.contains("行中 登録") && report.body.contains(r#"<th scope="row">登録</th>"#),
        "the counts: {}",
        report.body
    );

    // Over the 32 MB limit (but within the request's body limit, so the server reads it all
    // and the answer is never lost to a closed connection): refused next to the field,
    // nothing imported.
    let huge = vec![b'x'; 32 * 1024 * 1024 + 1024];
    let large = upload(
        &mut browser,
        &csrf,
        "HIHO_131011_SABUN_20261120100000.csv",
        &huge,
    )
    .await;
    assert_eq!(large.status, 413, "{}", large.body);
    assert!(
        large.body.contains("ファイルが大きすぎます"),
        "{}",
        large.body
    );

    let history = browser.get("/municipal/imports").await;
    assert_eq!(history.status, 200, "{}", history.body);
    assert!(history
        .body
        .contains("HIHO_131011_SABUN_20261120090000.csv"));
    assert!(
        !history.body.contains("HIHO_131029"),
        "the refused file was never imported"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_search_needs_a_purpose_that_is_audited_and_cards_can_be_linked() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("muni2", "municipal_staff", INSURER);
    let mut browser = Browser::staff(&fx, "muni2");
    let entered = login(&mut browser, "/municipal/login", "muni2", &fx.totp_code()).await;
    assert_eq!(entered.status, 303, "{}", entered.body);
    let page = browser.get("/municipal/persons").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let number = insured(1);
    let before = fx.db(|s| {
        s.audit_for_person(INSURER, &number, None, 50)
            .unwrap()
            .len()
    });

    let unsaid = browser
        .post(
            "/municipal/persons",
            &[("csrf", &csrf), ("insured", &number)],
        )
        .await;
    assert_eq!(unsaid.status, 422, "{}", unsaid.body);
    assert!(unsaid
        .body
        .contains(r#"<p class="error" id="purpose-error">利用目的を選んでください。</p>"#));
    let after = fx.db(|s| {
        s.audit_for_person(INSURER, &number, None, 50)
            .unwrap()
            .len()
    });
    assert_eq!(after, before, "nothing was read, nothing audited");

    let tokenless = browser
        .post(
            "/municipal/persons",
            &[("purpose", "qualification_admin"), ("insured", &number)],
        )
        .await;
    assert_eq!(tokenless.status, 403, "{}", tokenless.body);

    let found = browser
        .post(
            "/municipal/persons",
            &[
                ("csrf", &csrf),
                ("purpose", "qualification_admin"),
                ("insured", &number),
            ],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains("時点の内容です"), "{}", found.body);
    assert!(found.body.contains("被保険者証") && found.body.contains("利用目的：資格管理"));
    let audit = fx.db(|s| s.audit_for_person(INSURER, &number, None, 50).unwrap());
    let read = audit
        .iter()
        .find(|e| e.entry.actor_id == "muni2" && e.entry.action == "read")
        .expect("the read is audited");
    assert_eq!(read.entry.purpose, "qualification_admin");
    assert_eq!(read.entry.decision.code(), "allow");

    // The 基本4情報 of the same person find them (kiban_app::confirm), and a near miss is
    // refused with the matcher's reason rather than guessed.
    let card = fx.db(|s| {
        let history = s
            .person_history(
                RecordKind::InsuredCard,
                InsurerNumber::parse(INSURER).unwrap(),
                InsuredNumber::parse(&number).unwrap(),
            )
            .unwrap();
        let today = Timestamp::from_millis(now_ms()).jst_date();
        match &current_as_of(&history.versions, &history.withdrawn, today)
            .unwrap()
            .body
        {
            RecordBody::InsuredCard(card) => card.clone(),
            _ => unreachable!(),
        }
    });
    let birth = card.birth_date.yyyymmdd();
    let basic = |name: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("purpose", "person_request".to_string()),
            ("name", name.to_string()),
            ("birth_date", birth.clone()),
            ("sex", card.sex.code().to_string()),
            ("address", card.address.clone()),
        ]
    };
    let form = basic(&card.name);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let matched = browser.post("/municipal/persons", &pairs).await;
    assert_eq!(matched.status, 200, "{}", matched.body);
    assert!(
        matched.body.contains(&format!("被保険者番号 {number}")),
        "{}",
        matched.body
    );
    assert!(matched.body.contains("利用目的：本人対応"));
    let form = basic("該当 しない");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let missed = browser.post("/municipal/persons", &pairs).await;
    assert_eq!(missed.status, 200, "{}", missed.body);
    assert!(
        missed.body.contains("この方の情報は表示できません"),
        "{}",
        missed.body
    );
    assert!(
        missed.body.contains("理由コード：MATCH_"),
        "{}",
        missed.body
    );

    // A card made by the card root, not yet linked.
    let card = fx
        .cards
        .issue_card(
            InsuredNumber::parse(&number).unwrap(),
            &pin(),
            kiban_crypto::Validity::days_from(now(), 30),
        )
        .unwrap();
    let pem = card.card.certificate_pem().to_string();
    let review = browser
        .post(
            "/municipal/cards",
            &[
                ("csrf", &csrf),
                ("purpose", "review"),
                ("insured", &number),
                ("pem", &pem),
            ],
        )
        .await;
    assert_eq!(review.status, 403, "審査 may not write: {}", review.body);
    let linked = browser
        .post(
            "/municipal/cards",
            &[
                ("csrf", &csrf),
                ("purpose", "qualification_admin"),
                ("insured", &number),
                ("pem", &pem),
            ],
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert!(
        linked.body.contains("カードを紐付けました"),
        "{}",
        linked.body
    );
    let fingerprint = card.link.fingerprint.to_string();
    let link = fx
        .db(|s| s.card_link(&fingerprint).unwrap())
        .expect("linked");
    assert_eq!(
        (link.insured.to_string().as_str(), link.linked_by.as_str()),
        (number.as_str(), "muni2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_staff_cannot_use_the_municipal_console() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm7", "office_staff", OFFICE);
    fx.add_staff("cm8", "office_staff", OFFICE);
    let mut browser = Browser::new(&fx, Some(OFFICE));
    let refused = login(&mut browser, "/municipal/login", "cm7", &fx.totp_code()).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("保険者（市町村）の職員用です"));
    assert!(!browser.cookies.contains_key("__Host-kiban_session"));

    let office = login(&mut browser, "/office/login", "cm8", &fx.totp_code()).await;
    assert_eq!(office.status, 303, "{}", office.body);
    for path in ["/municipal", "/municipal/imports", "/municipal/persons"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.body);
    }
    let anonymous = Browser::new(&fx, None).get("/municipal").await;
    assert_eq!(
        (anonymous.status, anonymous.location()),
        (303, "/municipal/login")
    );
}

//! The ケアプラン pages of the 保険者ポータル over the real TLS server, with a browser without
//! JavaScript: the individual view needs a purpose and lands in the person's history; the
//! console shows the 集中減算 table and the regional statistics with small cells printed "＊",
//! and its forms (法人, 体制, 正当な理由) need a purpose too.

use kiban_app::careplan::Registration;

use crate::careplan_seed::{
    plan, plan_doc, register, register_service_use, seed, HELPER, HELPER_NAME,
};
use crate::page_browser::{citizen_login, Answer, Browser};
use crate::support::{insured, Fixture, INSURER, OFFICE, PASSWORD};

/// A new municipal staff account, logged in through `/municipal/login` (`Browser::login` only
/// knows the office login page).
async fn municipal_browser(fx: &mut Fixture, staff_id: &str) -> Browser {
    fx.add_staff(staff_id, "municipal_staff", INSURER);
    let mut browser = Browser::staff(fx, staff_id);
    let page = browser.get("/municipal/login").await;
    let csrf = page.csrf();
    let totp = fx.totp_code();
    let form = [
        ("csrf", csrf.as_str()),
        ("staff_id", staff_id),
        ("password", PASSWORD),
        ("totp", totp.as_str()),
    ];
    let done = browser.post("/municipal/login", &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    browser
}

/// Posts a console form with its token and the view it returns to (審査, 2026年度前期, April),
/// then the form's `own` fields.
async fn post_console(city: &mut Browser, path: &str, csrf: &str, own: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("csrf", csrf),
        ("purpose", "review"),
        ("period", "2026-1"),
        ("month", "202604"),
    ];
    form.extend_from_slice(own);
    city.post(path, &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_municipal_individual_view_needs_a_purpose_and_is_in_the_persons_history() {
    let mut fx = Fixture::sqlite().await;
    seed(&mut fx, 2);
    register(
        &mut fx,
        2,
        vec![plan_doc(plan(2, "20260401", "自宅で暮らし続けたい"))],
        Registration::Issue,
    );
    let mut city = municipal_browser(&mut fx, "city1").await;
    let path = format!("/municipal/persons/{INSURER}/{}/careplans", insured(2));
    let reads = |fx: &mut Fixture| {
        fx.db(|s| s.audit_for_person(INSURER, &insured(2), None, 100).unwrap())
            .iter()
            .filter(|e| e.entry.actor_id == "city1")
            .count()
    };

    // The person search leads to the form.
    let search = city.get("/municipal/persons").await;
    let csrf = search.csrf();
    let found = city
        .post(
            "/municipal/persons",
            &[
                ("csrf", csrf.as_str()),
                ("purpose", "review"),
                ("insured", &insured(2)),
            ],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(
        found.body.contains(&format!(r#"action="{path}""#)),
        "{}",
        found.body
    );
    let before = reads(&mut fx);

    let refused = city.get(&path).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("利用目的を選んでください"));
    assert!(!refused.body.contains("自宅で暮らし続けたい"));
    let empty = city.get(&format!("{path}?purpose=")).await;
    assert_eq!(empty.status, 400);
    assert_eq!(reads(&mut fx), before, "nothing read, nothing audited");

    let shown = city.get(&format!("{path}?purpose=review")).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("利用目的：審査"));
    assert!(
        shown.body.contains("居宅サービス計画（令和8年4月1日作成）"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("自宅で暮らし続けたい"));
    assert_eq!(reads(&mut fx), before + 1);

    let other = city
        .get(&format!("{path}?purpose=certification_affairs"))
        .await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert!(
        other.body.contains("この方のケアプランは表示できません"),
        "{}",
        other.body
    );
    assert!(other.body.contains("理由コード："), "{}", other.body);
    assert!(!other.body.contains("自宅で暮らし続けたい"));

    let mut me = citizen_login(&mut fx, 2).await;
    let history = me.get("/me/history").await;
    assert_eq!(history.status, 200, "{}", history.body);
    let row = history
        .body
        .split("<tr>")
        .find(|r| {
            r.contains("<td>保険者 131011</td>")
                && r.contains("ケアプランを見る")
                && r.contains("認められました")
        })
        .unwrap_or_else(|| panic!("the municipal read is listed: {}", history.body));
    assert!(row.contains("令和"), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_municipal_console_shows_the_concentration_table_and_suppressed_statistics() {
    let mut fx = Fixture::sqlite().await;
    seed(&mut fx, 3);
    register_service_use(&mut fx, 3);
    let mut city = municipal_browser(&mut fx, "city2").await;
    let home = city.get("/municipal").await;
    assert!(home.body.contains(r#"<a href="/municipal/careplans">"#));
    let form = city.get("/municipal/careplans").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        !form.body.contains("特定事業所集中減算（"),
        "nothing read without a purpose"
    );

    let unsaid = city
        .get("/municipal/careplans?period=2026-1&month=202604")
        .await;
    assert_eq!(unsaid.status, 400, "{}", unsaid.body);
    assert!(unsaid.body.contains("利用目的を選んでください"));
    assert!(!unsaid.body.contains("地域の利用状況（"));

    let view = "/municipal/careplans?purpose=review&period=2026-1&month=202604";
    let page = city.get(view).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "特定事業所集中減算（2026年度前期（3月〜8月））",
        "届出の期限：令和8年9月15日",
        "居宅介護支援事業所 1370000001",
        "<td data-label=\"サービス\">訪問介護</td>",
        "<td data-label=\"計画数\">1件</td>",
        "office:1370000101（1件）",
        "担当件数（令和8年4月）",
        "体制の届出なし",
        "地域の利用状況（令和8年4月）",
        "10人未満は表示しません",
        "<th scope=\"row\">訪問介護</th>",
        "<td>＊</td>",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(!page.body.contains(&insured(3)), "aggregates only");

    // The 法人 of the 訪問介護 office, and the staffing of the care manager's office.
    let csrf = page.csrf();
    let csv = format!("法人番号,法人名,事業所番号,事業所名\n7000012050002,ひまわり福祉会,{HELPER},{HELPER_NAME}\n123,壊れた行,1,x");
    let corporations = "/municipal/careplans/corporations";
    let without = city
        .post(
            corporations,
            &[("csrf", csrf.as_str()), ("csv", csv.as_str())],
        )
        .await;
    assert_eq!(without.status, 400, "{}", without.body);
    assert!(without.body.contains("利用目的を選んでください"));
    let done = post_console(&mut city, corporations, &csrf, &[("csv", csv.as_str())]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("1事業所を登録しました。"),
        "{}",
        done.body
    );
    assert!(done.body.contains("3行目 1列（法人番号）"), "{}", done.body);
    assert!(done.body.contains("7000012050002（1件）"), "{}", done.body);
    assert!(
        done.body.contains("<td data-label=\"割合\">100.0%</td>"),
        "{}",
        done.body
    );

    let staffing = [("office", OFFICE), ("care_managers", "1.0")];
    let staffed = post_console(&mut city, "/municipal/careplans/staffing", &csrf, &staffing).await;
    assert_eq!(staffed.status, 200, "{}", staffed.body);
    assert!(
        staffed.body.contains("基準内（基準 44人"),
        "{}",
        staffed.body
    );

    let exclusion = [
        ("office", OFFICE),
        ("service", "11"),
        ("reason", "1"),
        ("excluded", "0"),
        ("note", ""),
    ];
    let excluded = post_console(
        &mut city,
        "/municipal/careplans/exclusions",
        &csrf,
        &exclusion,
    )
    .await;
    assert_eq!(excluded.status, 200, "{}", excluded.body);
    assert!(
        excluded.body.contains("正当な理由「1 "),
        "{}",
        excluded.body
    );

    // A purpose whose row holds no ケアプラン is refused with its code.
    let refused = city
        .get("/municipal/careplans?purpose=certification_affairs&period=2026-1&month=202604")
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(refused.body.contains("集計は表示できません") && refused.body.contains("理由コード："));
}

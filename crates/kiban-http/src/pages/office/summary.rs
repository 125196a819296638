//! The person's page after 資格確認: the summary read through
//! `kiban_app::qualification::read_summary`, which asks the access policy and audits the read
//! whatever the answer. A refusal is a page that gives the policy's reason, not an error.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_app::qualification::QualificationSummary;
use kiban_domain::access::Timestamp;
use kiban_domain::date::Date;
use kiban_domain::records::{
    CarePlanAuthor, CopayCertificate, InsuredCard, RecordBody, Reduction, ReductionCertificate,
};
use kiban_domain::rules::benefit_limit::month_limit_for_certifications;

use crate::extract::person_of;
use crate::pages::office::category::{view_links, ViewLink};
use crate::pages::office::PORTAL;
use crate::pages::session::OfficeStaff;
use crate::pages::view::{
    error_page, grouped, page_templates, period, read_failed, respond, wareki, yen, Page,
};
use crate::state::{now, Shared};

/// One row of a table: 項目 and 内容.
pub(crate) struct Row {
    pub label: &'static str,
    pub value: String,
}

/// One certificate or figure group, with a note when there is nothing to show.
pub(crate) struct Section {
    pub title: &'static str,
    pub rows: Vec<Row>,
    pub empty: &'static str,
}

/// What the policy answered.
pub(crate) enum Answer {
    Shown {
        as_of: String,
        sections: Vec<Section>,
    },
    Refused {
        code: &'static str,
        message: String,
    },
}

#[derive(Template)]
#[template(path = "pages/office/person.html")]
pub(crate) struct PersonPage {
    page: Page,
    insurer: String,
    insured: String,
    answer: Answer,
    /// The person's other categories, each decided by the policy when opened.
    links: Vec<ViewLink>,
}

page_templates!(PersonPage);

pub(crate) async fn show(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path((insurer, insured)): Path<(String, String)>,
) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let Ok(person) = person_of(&insurer, &insured) else {
        return error_page(
            page,
            StatusCode::NOT_FOUND,
            "番号が正しくありません",
            "保険者番号（6桁）と被保険者番号（10桁）を確かめて、資格確認の画面からもう一度入力してください。",
        );
    };
    let caller = office.staff.caller;
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::qualification::read_summary(conn, &caller, person, at)?;
            Ok((outcome, at.jst_date()))
        })
        .await;
    let answer = match read {
        Ok((Outcome::Allowed(summary), today)) => Answer::Shown {
            as_of: wareki(today),
            sections: sections(&summary, today),
        },
        Ok((Outcome::Denied(denied), _)) => Answer::Refused {
            code: denied.reason,
            message: denied.message_ja,
        },
        Err(e) => return read_failed(page, &e),
    };
    let template = PersonPage {
        page,
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        answer,
        links: view_links(),
    };
    respond(StatusCode::OK, &template)
}

fn row(label: &'static str, value: impl Into<String>) -> Row {
    Row {
        label,
        value: value.into(),
    }
}

/// The summary as tables, in the order of the printed certificates (also the citizen's 「わたしの情報」).
pub(crate) fn sections(summary: &QualificationSummary, today: Date) -> Vec<Section> {
    let card = summary.insured_card.as_ref().and_then(|v| match &v.body {
        RecordBody::InsuredCard(c) => Some(c),
        _ => None,
    });
    let copay = summary.copay.as_ref().and_then(|v| match &v.body {
        RecordBody::CopayCertificate(c) => Some(c),
        _ => None,
    });
    let reduction = summary.reduction.as_ref().and_then(|v| match &v.body {
        RecordBody::ReductionCertificate(r) => Some(r),
        _ => None,
    });
    vec![
        Section {
            title: "被保険者証",
            rows: card.map(|c| card_rows(c, today)).unwrap_or_default(),
            empty: "本日有効な被保険者証はありません。",
        },
        Section {
            title: "負担割合証",
            rows: copay.map(copay_rows).unwrap_or_default(),
            empty: "本日有効な負担割合証はありません。",
        },
        Section {
            title: "負担限度額認定証・減免",
            rows: reduction.map(reduction_rows).unwrap_or_default(),
            empty: "本日有効な認定証はありません。",
        },
        Section {
            title: "住宅改修費・福祉用具購入費の残り",
            rows: vec![
                row(
                    "住宅改修費",
                    format!("残り {}", yen(summary.home_modification_allowance_left)),
                ),
                row(
                    "福祉用具購入費（本年度）",
                    format!("残り {}", yen(summary.equipment_allowance_left)),
                ),
            ],
            empty: "",
        },
    ]
}

fn card_rows(c: &InsuredCard, today: Date) -> Vec<Row> {
    let mut rows = vec![
        row("氏名", c.name.clone()),
        row("フリガナ", c.kana.clone()),
        row("生年月日", wareki(c.birth_date)),
        row("性別", c.sex.label()),
        row("住所", c.address.clone()),
        row("保険者", c.insurer_name.clone()),
        row("交付年月日", wareki(c.issued_on)),
        row("資格取得年月日", wareki(c.qualified_on)),
    ];
    if let Some(lost) = c.disqualified_on {
        rows.push(row("資格喪失年月日", wareki(lost)));
    }
    match &c.certification {
        Some(cert) => {
            rows.push(row("要介護状態区分", cert.level.label()));
            rows.push(row("認定年月日", wareki(cert.certified_on)));
            rows.push(row(
                "認定の有効期間",
                period(cert.valid_from, Some(cert.valid_to)),
            ));
            // The month's limit: the amount printed on the card (上乗せ) or the national one.
            let limit = month_limit_for_certifications([cert], today).map_or_else(
                || "なし".to_string(),
                |units| format!("1か月 {}単位", grouped(u64::from(units))),
            );
            rows.push(row("区分支給限度基準額", limit));
        }
        None => {
            rows.push(row("要介護状態区分", "認定なし"));
            rows.push(row("区分支給限度基準額", "なし（認定がありません）"));
        }
    }
    rows.push(row(
        "給付制限",
        c.restriction.as_ref().map_or_else(
            || "なし".to_string(),
            |r| format!("{}（{}）", r.kind.label(), period(r.from, r.to)),
        ),
    ));
    if let Some(plan) = &c.care_plan {
        let text = match plan {
            CarePlanAuthor::Office {
                name, notified_on, ..
            } => format!("{name}（届出 {}）", wareki(*notified_on)),
            CarePlanAuthor::SelfMade { notified_on } => {
                format!("自己作成（届出 {}）", wareki(*notified_on))
            }
        };
        rows.push(row("居宅介護支援事業者", text));
    }
    rows
}

fn copay_rows(c: &CopayCertificate) -> Vec<Row> {
    vec![
        row("負担割合", c.rate.label()),
        row("適用期間", period(c.valid_from, Some(c.valid_to))),
        row("交付年月日", wareki(c.issued_on)),
    ]
}

fn reduction_rows(r: &ReductionCertificate) -> Vec<Row> {
    let mut rows = Vec::new();
    match &r.reduction {
        Reduction::CostLimit { stage, limits } => {
            rows.push(row("負担限度額", format!("{}（1日あたり）", stage.label())));
            rows.push(row("食費", yen(limits.food)));
            rows.push(row("居住費（ユニット型個室）", yen(limits.unit_private)));
            rows.push(row(
                "居住費（ユニット型個室的多床室）",
                yen(limits.unit_shared),
            ));
            rows.push(row(
                "居住費（従来型個室：老健・医療院等）",
                yen(limits.conventional_private),
            ));
            rows.push(row(
                "居住費（従来型個室：特養等）",
                yen(limits.conventional_private_welfare),
            ));
            rows.push(row("居住費（多床室）", yen(limits.multi_bed)));
        }
        Reduction::CopayReduction {
            benefit_rate_percent,
        } => rows.push(row(
            "利用者負担額の減額・免除",
            format!("給付率 {benefit_rate_percent}%"),
        )),
        Reduction::SocialWelfareReduction {
            reduction_rate_percent,
        } => rows.push(row(
            "社会福祉法人等による利用者負担軽減",
            format!("軽減率 {reduction_rate_percent}%"),
        )),
    }
    rows.push(row("有効期間", period(r.valid_from, Some(r.valid_to))));
    rows.push(row("交付年月日", wareki(r.issued_on)));
    rows
}

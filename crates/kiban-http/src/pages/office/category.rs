//! One information category of a person (認定調査票, 主治医意見書, ケアプラン, LIFE, 住宅改修・
//! 福祉用具), each on its own page and read through `kiban_app::category::read_category`, so the
//! policy decides per category and every view, allowed or refused, is in the person's history.
//! A refusal is a page with the policy's reason and code, not an error.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_app::category::CategoryContent;
use kiban_domain::access::{Category, Timestamp};

use crate::extract::person_of;
use crate::pages::careplan_sections::{self as cp, FolderShown, LifeShown};
use crate::pages::office::summary::{Row, Section};
use crate::pages::office::PORTAL;
use crate::pages::session::OfficeStaff;
use crate::pages::view::{error_page, page_templates, read_failed, respond, wareki, yen, Page};
use crate::state::{now, Shared};

/// The categories with a page of their own (資格情報 is the summary page itself), in the order
/// of the consent form.
pub(crate) const VIEWS: [Category; 5] = [
    Category::CertificationSurvey,
    Category::PhysicianOpinion,
    Category::CarePlan,
    Category::Life,
    Category::HousingEquipment,
];

/// A link to one category's page.
pub(crate) struct ViewLink {
    pub code: &'static str,
    pub label: &'static str,
}

pub(crate) fn view_links() -> Vec<ViewLink> {
    VIEWS
        .iter()
        .map(|c| ViewLink {
            code: c.code(),
            label: c.label(),
        })
        .collect()
}

pub(crate) enum Shown {
    Sections(Vec<Section>),
    Nothing(String),
    Refused { code: &'static str, message: String },
}

#[derive(Template)]
#[template(path = "pages/office/category.html")]
pub(crate) struct CategoryPage {
    page: Page,
    insurer: String,
    insured: String,
    label: &'static str,
    shown: Shown,
    links: Vec<ViewLink>,
}

/// ケアプラン: the documents that reached the office (`pages/careplan_sections.rs`, shared with the other portals).
#[derive(Template)]
#[template(path = "pages/office/careplan_category.html")]
pub(crate) struct CarePlanPage {
    page: Page,
    insurer: String,
    insured: String,
    label: &'static str,
    folder: FolderShown,
    links: Vec<ViewLink>,
}

/// LIFE: the stored feedback sheets.
#[derive(Template)]
#[template(path = "pages/office/life_category.html")]
pub(crate) struct LifePage {
    page: Page,
    insurer: String,
    insured: String,
    label: &'static str,
    sheets: Vec<LifeShown>,
    links: Vec<ViewLink>,
}

page_templates!(CategoryPage, CarePlanPage, LifePage);

pub(crate) async fn show(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path((insurer, insured, code)): Path<(String, String, String)>,
) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let category = Category::from_code(&code)
        .ok()
        .filter(|c| VIEWS.contains(c));
    let (Ok(person), Some(category)) = (person_of(&insurer, &insured), category) else {
        return error_page(
            page,
            StatusCode::NOT_FOUND,
            "ページが見つかりません",
            "番号か情報の区分が正しくありません。資格確認の画面からもう一度開いてください。",
        );
    };
    let caller = office.staff.caller;
    let read = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::category::read_category(
                conn, &caller, category, person, at,
            )?)
        })
        .await;
    let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
    let shown = match read {
        Ok(Outcome::Allowed(CategoryContent::CarePlan(folder))) => {
            let template = CarePlanPage {
                page,
                insurer,
                insured,
                label: category.label(),
                folder: cp::folder(&folder),
                links: view_links(),
            };
            return respond(StatusCode::OK, &template);
        }
        Ok(Outcome::Allowed(CategoryContent::Life(sheets))) => {
            let template = LifePage {
                page,
                insurer,
                insured,
                label: category.label(),
                sheets: cp::life(&sheets),
                links: view_links(),
            };
            return respond(StatusCode::OK, &template);
        }
        Ok(Outcome::Allowed(CategoryContent::HousingEquipment { works, purchases })) => {
            Shown::Sections(housing_sections(&works, &purchases))
        }
        Ok(Outcome::Allowed(CategoryContent::NoRecords)) => Shown::Nothing(format!(
            "この方の{}は、まだ登録されていません。",
            category.label()
        )),
        Ok(Outcome::Denied(denied)) => Shown::Refused {
            code: denied.reason,
            message: denied.message_ja,
        },
        Err(e) => return read_failed(page, &e),
    };
    let template = CategoryPage {
        page,
        insurer,
        insured,
        label: category.label(),
        shown,
        links: view_links(),
    };
    respond(StatusCode::OK, &template)
}

fn housing_sections(
    works: &[kiban_domain::records::HomeModificationUsage],
    purchases: &[kiban_domain::records::EquipmentPurchaseUsage],
) -> Vec<Section> {
    let work_rows = works
        .iter()
        .map(|w| Row {
            label: "住宅改修",
            value: format!(
                "{} 着工・{}・費用 {}・給付 {}（着工時 {}）",
                wareki(w.started_on),
                w.address,
                yen(w.cost_yen),
                yen(w.paid_yen),
                w.level_at_start.label()
            ),
        })
        .collect();
    let purchase_rows = purchases
        .iter()
        .map(|p| Row {
            label: p.item.label(),
            value: format!(
                "{} 購入・{}・購入金額 {}・給付 {}",
                wareki(p.purchased_on),
                p.product,
                yen(p.cost_yen),
                yen(p.paid_yen)
            ),
        })
        .collect();
    vec![
        Section {
            title: "住宅改修費の利用",
            rows: work_rows,
            empty: "住宅改修費の利用はありません。",
        },
        Section {
            title: "福祉用具購入費の利用",
            rows: purchase_rows,
            empty: "福祉用具購入費の利用はありません。",
        },
    ]
}

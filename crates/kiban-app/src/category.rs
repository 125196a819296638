//! Each information category's own view (認定調査票, 主治医意見書, ケアプラン, LIFE, 住宅改修・
//! 福祉用具), read through `crate::access::authorize` with that category, so a consent revoked
//! for one category refuses exactly that view and the person sees the attempt in the history.
//!
//! kiban holds the usage records of 住宅改修・福祉用具 (from the municipal interface files).
//! ケアプラン shows the documents that reached the caller ([`crate::careplan::reads`]), LIFE the
//! stored feedback sheets. 認定調査票 and 主治医意見書 are read through the 要介護認定 workflow's own
//! pages. A person without such records gets an allowed-and-empty view, which is itself the
//! truthful answer ("nothing is registered"), and still audited.

use crate::access::decided;
use crate::access::{Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Category, PersonRef, Timestamp};
use kiban_domain::records::{
    ledger_as_of, EquipmentPurchaseUsage, HomeModificationUsage, RecordBody, RecordKind,
};

/// What one category holds for a person.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum CategoryContent {
    /// 住宅改修費 and 福祉用具購入費 usage, as counted against the allowances today.
    HousingEquipment {
        works: Vec<HomeModificationUsage>,
        purchases: Vec<EquipmentPurchaseUsage>,
    },
    /// ケアプラン: the documents that reached the caller.
    CarePlan(crate::careplan::CarePlanFolder),
    /// LIFE 利用者フィードバック票, newest period first.
    Life(Vec<crate::life::LifeView>),
    /// A category whose documents kiban does not hold for this person.
    NoRecords,
}

/// Reads `category` for `person` if the policy allows it; audited either way.
pub fn read_category(
    conn: &mut Connection,
    caller: &Caller,
    category: Category,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<CategoryContent>> {
    let store = conn.store();
    let decision =
        crate::access::authorize(store, caller, Action::Read, category, person, at, None)?;
    decided!(decision);
    match category {
        Category::HousingEquipment => {}
        Category::CarePlan => {
            let folder = crate::in_read(store, |s| {
                crate::careplan::reads::load_folder(s, caller, person)
            })?;
            return Ok(Outcome::Allowed(if folder.is_empty() {
                CategoryContent::NoRecords
            } else {
                CategoryContent::CarePlan(folder)
            }));
        }
        Category::Life => {
            let sheets = crate::in_read(store, |s| crate::life::load(s, person))?;
            return Ok(Outcome::Allowed(if sheets.is_empty() {
                CategoryContent::NoRecords
            } else {
                CategoryContent::Life(sheets)
            }));
        }
        _ => return Ok(Outcome::Allowed(CategoryContent::NoRecords)),
    }
    let on = at.jst_date();
    let content = crate::in_read(store, |s| {
        let records = s.person_records(person.insurer, person.insured)?;
        let ledger = |kind| {
            let h = records.of(kind);
            ledger_as_of(&h.versions, &h.withdrawn, on)
        };
        let works = ledger(RecordKind::HomeModificationUsage)
            .into_iter()
            .filter_map(|v| match &v.body {
                RecordBody::HomeModificationUsage(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        let purchases = ledger(RecordKind::EquipmentPurchaseUsage)
            .into_iter()
            .filter_map(|v| match &v.body {
                RecordBody::EquipmentPurchaseUsage(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        Ok(CategoryContent::HousingEquipment { works, purchases })
    })?;
    Ok(Outcome::Allowed(content))
}

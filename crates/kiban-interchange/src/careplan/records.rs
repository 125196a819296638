//! One V4 line ↔ one [`Record`]: parsing (every problem collected) and canonical formatting.

use super::fields::LineFields;
use super::layout::{self, Layout, CSV_VERSION};
use super::name::{V4FileName, V4Kind};
use kiban_domain::careplan::{
    Deletion, LimitRow, LivingSupportReason, NeedRow, PlanOrigin, PlanOverview, PlanPerson,
    ResultRow, ServiceUseHeader, ServiceUseRow, Supplement, YearMonth,
};
use kiban_domain::codes::{CareLevel, ServiceKind, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;

/// The content of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// 第1表.
    Overview {
        person: PlanPerson,
        plan_date: Date,
        overview: PlanOverview,
    },
    /// 第2表.
    Need {
        person: PlanPerson,
        plan_date: Date,
        row: NeedRow,
    },
    /// 利用者補足情報.
    Supplement(Supplement),
    /// 第6表 header (UPPLAN レコード種別 1).
    UseHeader {
        person: PlanPerson,
        month: YearMonth,
        header: ServiceUseHeader,
    },
    /// 第6表 line (レコード種別 2).
    UseRow {
        person: PlanPerson,
        month: YearMonth,
        row: ServiceUseRow,
    },
    /// 第7表 line (レコード種別 3).
    Limit {
        person: PlanPerson,
        month: YearMonth,
        row: LimitRow,
    },
    /// 実績 line.
    Result {
        person: PlanPerson,
        month: YearMonth,
        provider: OfficeNumber,
        row: ResultRow,
    },
    /// A line of a 削除 file.
    Deletion(Deletion),
}

impl Record {
    pub fn person(&self) -> PlanPerson {
        match self {
            Self::Overview { person, .. }
            | Self::Need { person, .. }
            | Self::UseHeader { person, .. }
            | Self::UseRow { person, .. }
            | Self::Limit { person, .. }
            | Self::Result { person, .. } => *person,
            Self::Supplement(s) => s.person,
            Self::Deletion(
                Deletion::Plan { person, .. }
                | Deletion::ServiceUse { person, .. }
                | Deletion::Results { person, .. },
            ) => *person,
        }
    }
}

/// The layout of a line of `kind`, given its raw second column (UPPLAN's レコード種別).
pub(crate) fn layout_for(kind: V4Kind, second: &[u8]) -> &'static Layout {
    match kind {
        V4Kind::Plan1 => &layout::PLAN1,
        V4Kind::Plan2 => &layout::PLAN2,
        V4Kind::Supplement => &layout::SUPPLEMENT,
        V4Kind::ServiceUse => match second {
            b"1" => &layout::USE_HEADER_LAYOUT,
            b"2" => &layout::USE_ROW_LAYOUT,
            b"3" => &layout::USE_LIMIT_LAYOUT,
            _ => &layout::USE_ANY_LAYOUT,
        },
        V4Kind::Results => &layout::RESULTS,
        V4Kind::PlanDeletion => &layout::PLAN_DELETION,
        V4Kind::ServiceUseDeletion | V4Kind::ResultsDeletion => &layout::MONTH_DELETION,
    }
}

/// The column of 保険者番号 (被保険者番号 follows it).
pub(crate) fn person_column(kind: V4Kind) -> usize {
    if kind == V4Kind::ServiceUse {
        2
    } else {
        1
    }
}

fn code_err<E: ToString>(e: E) -> String {
    e.to_string()
}

fn closed<T>(
    list: &'static str,
    list_en: &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl Fn(&str) -> Result<T, String> {
    move |s| {
        parse(s)
            .ok_or_else(|| format!("{list}のいずれかです: {s:?} / must be one of {list_en}: {s:?}"))
    }
}

/// Parses the fields of a line whose column count is right: the person when its columns are
/// readable, and the record when the line has no error.
pub(crate) fn parse(name: &V4FileName, f: &mut LineFields) -> (Option<PlanPerson>, Option<Record>) {
    if f.raw(0) != CSV_VERSION && f.values[0].is_some() {
        let got = f.raw(0).to_string();
        f.fail(
            0,
            "CSV_VERSION",
            format!("CSVバージョンは {CSV_VERSION} です: {got:?}"),
            format!("CSV version must be {CSV_VERSION}: {got:?}"),
        );
    }
    let person = f.person(person_column(name.kind));
    let record = match name.kind {
        V4Kind::Plan1 => plan1(name, f, person),
        V4Kind::Plan2 => plan2(f, person),
        V4Kind::Supplement => supplement(f, person),
        V4Kind::ServiceUse => super::records_month::service_use(name, f, person),
        V4Kind::Results => super::records_month::results(name, f, person),
        V4Kind::PlanDeletion => {
            let plan_date = f.date(3);
            person
                .zip(plan_date)
                .map(|(person, plan_date)| Record::Deletion(Deletion::Plan { person, plan_date }))
        }
        V4Kind::ServiceUseDeletion | V4Kind::ResultsDeletion => {
            let month = super::records_month::file_month(name, f, 3);
            let results = name.kind == V4Kind::ResultsDeletion;
            person.zip(month).map(|(person, month)| {
                Record::Deletion(if results {
                    Deletion::Results { person, month }
                } else {
                    Deletion::ServiceUse { person, month }
                })
            })
        }
    };
    (person, if f.has_errors() { None } else { record })
}

fn plan1(name: &V4FileName, f: &mut LineFields, person: Option<PlanPerson>) -> Option<Record> {
    let created_on = f.date(3);
    let user_postal_code = f.text(4);
    let user_address1 = f.text(5);
    let user_address2 = f.text(6);
    let planner_name = f.required_text(7);
    let office_name = f.required_text(8);
    let office_postal_code = f.text(9);
    let office_address1 = f.text(10);
    let office_address2 = f.text(11);
    let office = f.office(12);
    if office.is_some_and(|o| o != name.sender) {
        f.fail(
            12,
            "SENDER_MISMATCH",
            format!("ファイル名の送信元事業所番号 {} と違います", name.sender),
            format!(
                "differs from the sender office {} of the file name",
                name.sender
            ),
        );
    }
    let plan_date = f.date(13);
    let origin = f.code(
        14,
        closed("1 初回, 2 紹介, 3 継続", "1, 2, 3", PlanOrigin::from_code),
    );
    let certified = f.code(
        15,
        closed("1 認定済, 2 申請中", "1, 2", |s| match s {
            "1" => Some(true),
            "2" => Some(false),
            _ => None,
        }),
    );
    let first_plan_date = f.opt_date(16);
    let certified_on = f.opt_date(17);
    let valid_from = f.opt_date(18);
    let valid_to = f.opt_date(19);
    let care_level = f.opt_code(20, |s| CareLevel::from_code(s).map_err(code_err));
    let intentions = f.text(21);
    let committee_opinion = f.text(22);
    let policy = f.text(23);
    let living_support_reason = f.opt_code(
        24,
        closed("1, 2, 3", "1, 2, 3", LivingSupportReason::from_code),
    );
    let living_support_note = f.text(25);
    Some(Record::Overview {
        person: person?,
        plan_date: plan_date?,
        overview: PlanOverview {
            created_on: created_on?,
            origin: origin?,
            certified: certified?,
            user_postal_code: user_postal_code?,
            user_address1: user_address1?,
            user_address2: user_address2?,
            planner_name: planner_name?,
            office: office?,
            office_name: office_name?,
            office_postal_code: office_postal_code?,
            office_address1: office_address1?,
            office_address2: office_address2?,
            first_plan_date: first_plan_date?,
            certified_on: certified_on?,
            valid_from: valid_from?,
            valid_to: valid_to?,
            care_level: care_level?,
            intentions: intentions?,
            committee_opinion: committee_opinion?,
            policy: policy?,
            living_support_reason: living_support_reason?,
            living_support_note: living_support_note?,
        },
    })
}

fn plan2(f: &mut LineFields, person: Option<PlanPerson>) -> Option<Record> {
    let written_on = f.date(3);
    let plan_date = f.date(4);
    let need_no = f.u32(5);
    let need = f.text(6);
    let goal_no = f.u32(7);
    let long_term_goal = f.text(8);
    let short_term_goal = f.text(9);
    let long_term_period = f.text(10);
    let short_term_period = f.text(11);
    let service_no = f.u32(12);
    let service_content = f.text(13);
    let insured_service = f.code(
        14,
        closed("1 対象, 0 対象外", "1, 0", |s| match s {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }),
    );
    let service_kind = f.opt_code(15, |s| ServiceKind::from_code(s).map_err(code_err));
    let provider = f.opt_office(16);
    let provider_name = f.text(17);
    let frequency = f.text(18);
    let period = f.text(19);
    let vendor_code = f.text(20);
    let line_id = f.text(21);
    Some(Record::Need {
        person: person?,
        plan_date: plan_date?,
        row: NeedRow {
            written_on: written_on?,
            need_no: need_no?,
            need: need?,
            goal_no: goal_no?,
            long_term_goal: long_term_goal?,
            short_term_goal: short_term_goal?,
            long_term_period: long_term_period?,
            short_term_period: short_term_period?,
            service_no: service_no?,
            service_content: service_content?,
            insured_service: insured_service?,
            service_kind: service_kind?,
            provider: provider?,
            provider_name: provider_name?,
            frequency: frequency?,
            period: period?,
            vendor_code: vendor_code?,
            line_id: line_id?,
        },
    })
}

fn supplement(f: &mut LineFields, person: Option<PlanPerson>) -> Option<Record> {
    let plan_date = f.date(3);
    let kana = f.required_text(4);
    let name = f.required_text(5);
    let sex = f.code(6, |s| Sex::from_code(s).map_err(code_err));
    let birth_date = f.date(7);
    let postal_code = f.text(8);
    let address1 = f.text(9);
    let address2 = f.text(10);
    let phone = f.text(11);
    let certified_on = f.opt_date(12);
    let limit_from = f.opt_date(13);
    let limit_to = f.opt_date(14);
    let care_level = f.opt_code(15, |s| CareLevel::from_code(s).map_err(code_err));
    Some(Record::Supplement(Supplement {
        person: person?,
        plan_date: plan_date?,
        kana: kana?,
        name: name?,
        sex: sex?,
        birth_date: birth_date?,
        postal_code: postal_code?,
        address1: address1?,
        address2: address2?,
        phone: phone?,
        certified_on: certified_on?,
        limit_from: limit_from?,
        limit_to: limit_to?,
        care_level: care_level?,
    }))
}

pub(crate) use super::format::format;

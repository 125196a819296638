//! A synthetic month of ケアプランデータ連携 (docs/interface/careplan-v4.md §Generator): for each
//! person one 居宅介護支援事業所, a plan (第1表 + 2–6 第2表 lines naming 1–4 service offices), a
//! 利用票 per service office, 実績 from each service office and a 補足, written as the V4 files
//! of every send unit through [`careplan::write_unit`]. Deterministic from the seed; person `i`
//! draws from its own ChaCha8 stream. All names, places and offices are invented.
//!
//! - 被保険者番号: `spec.insured[i]` when given, else `FIRST_INSURED + i` — the numbers of the
//!   first N persons of [`super::generate`] for any seed (pass the certified ones to match a
//!   generated municipality's 要介護者 exactly).
//! - Levels 要介護1–5 only (要支援 plans are 介護予防支援's, outside this generator).
//! - Service offices: kinds 訪問介護 11, 通所介護 15, 地域密着型通所介護 78, 福祉用具貸与 17,
//!   訪問看護 13 in turn; each corporation owns ten consecutive offices (two of each kind).
//!   Even-numbered care offices pick, for each kind, an office of their favourite corporation
//!   with probability 0.9 (so they concentrate above 80 % when there are at least two
//!   corporations); odd-numbered ones pick uniformly.
//! - With `deletions`, one unit of each 削除 kind per care office (of the previous month / an
//!   older plan date) is added.

mod documents;
mod relations;
mod tables;

use tables::{corporate_number, office_number, KINDS, LIMITS, SERVICES, WORDS};

use super::names::NameTables;
use super::places::Municipality;
use super::FIRST_INSURED;
use crate::careplan::{self, Document, SendUnit, UnitHeader, UnitKind};
use documents::{month_documents, need_row};
use kiban_domain::careplan::*;
use kiban_domain::codes::{ServiceKind, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// What to generate.
#[derive(Debug, Clone)]
pub struct CarePlanSpec {
    pub insurer: InsurerNumber,
    pub persons: u64,
    /// Explicit 被保険者番号 for the first persons (see the module documentation).
    pub insured: Vec<InsuredNumber>,
    pub month: YearMonth,
    /// Number of 居宅介護支援事業所 (at least 1).
    pub care_offices: usize,
    /// Number of service offices (at least 5, one of each kind).
    pub service_offices: usize,
    pub seed: u64,
    /// 作成日時 `YYYYMMDDHHMMSS` of every file.
    pub created: String,
    /// Also generate the three 削除 units per care office.
    pub deletions: bool,
}

/// One send unit's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedUnit {
    pub kind: UnitKind,
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPerson {
    pub person: PlanPerson,
    pub care_office: OfficeNumber,
    /// The offices the plan names, in plan order.
    pub service_offices: Vec<OfficeNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedOffice {
    pub number: OfficeNumber,
    pub name: String,
    /// 居宅介護支援 (43) for the care offices.
    pub kind: ServiceKind,
    /// Index into [`GeneratedMonth::corporations`] (service offices only).
    pub corporation: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corporation {
    /// 法人番号: 13 digits, check digit first.
    pub number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedMonth {
    /// Plan units (one per care office), then 利用票 units (care office × service office),
    /// then 実績 units (service office × care office), then 削除 units.
    pub units: Vec<GeneratedUnit>,
    pub persons: Vec<GeneratedPerson>,
    /// Care offices first, then service offices.
    pub offices: Vec<GeneratedOffice>,
    pub corporations: Vec<Corporation>,
}

/// Generates the month.
pub fn month(spec: &CarePlanSpec) -> GeneratedMonth {
    let insurer = spec.insurer;
    let m = spec.month;
    let muni = Municipality::new(insurer, spec.persons.max(1));
    let names = NameTables::new();
    let key = ChaCha8Rng::seed_from_u64(spec.seed).get_seed();
    let stream = |i: u64| {
        let mut r = ChaCha8Rng::from_seed(key);
        r.set_stream(i);
        r
    };
    let mut office_rng = stream(u64::MAX);
    let care_count = spec.care_offices.max(1);
    let service_count = spec.service_offices.max(KINDS.len());
    let corp_count = service_count.div_ceil(10);
    let corporations: Vec<Corporation> = (0..corp_count)
        .map(|j| {
            let w = WORDS[j % WORDS.len()];
            Corporation {
                number: corporate_number(7_010_001_000_000 % 1_000_000_000_000 + j as u64 * 37),
                name: match j % 3 {
                    0 => format!("社会福祉法人{w}会"),
                    1 => format!("株式会社{w}ケア"),
                    _ => format!("医療法人社団{w}会"),
                },
            }
        })
        .collect();
    let mut offices = Vec::new();
    for i in 0..care_count {
        offices.push(GeneratedOffice {
            number: office_number(insurer, 7, 1 + i),
            name: format!("{}居宅介護支援事業所", WORDS[i % WORDS.len()]),
            kind: ServiceKind::CareManagement,
            corporation: None,
        });
    }
    let care_places: Vec<_> = (0..care_count)
        .map(|_| muni.residence(&mut office_rng))
        .collect();
    for k in 0..service_count {
        let kind = KINDS[k % KINDS.len()];
        let corp = k / 10;
        let digit = if kind.is_community_based() { 9 } else { 7 };
        offices.push(GeneratedOffice {
            number: office_number(insurer, digit, 5001 + k),
            name: format!(
                "{}{}",
                WORDS[(k / 5) % WORDS.len()],
                SERVICES[k % KINDS.len()].0
            ),
            kind,
            corporation: Some(corp),
        });
    }
    let service = |k: usize| &offices[care_count + k];

    let mut persons = Vec::new();
    // (care office, [(service office or usize::MAX for the plan, document)], 補足) per person.
    type PersonDocs = (usize, Vec<(usize, Document)>, Supplement);
    let mut docs: Vec<PersonDocs> = Vec::new();
    for i in 0..spec.persons {
        let mut rng = stream(i);
        let insured = spec.insured.get(i as usize).copied().unwrap_or_else(|| {
            InsuredNumber::from_u64(FIRST_INSURED + i).expect("fits ten digits")
        });
        let person = PlanPerson { insurer, insured };
        let c = (i as usize) % care_count;
        let care = &offices[c];
        let sex = if rng.gen_bool(0.62) {
            Sex::Female
        } else {
            Sex::Male
        };
        let birth = Date::new(
            m.year() - rng.gen_range(67..=99),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
        )
        .expect("valid");
        let name = names.sample(&mut rng, sex, birth.year());
        let home = muni.residence(&mut rng);
        let (address1, address2) = home
            .address
            .split_once('\u{3000}')
            .map_or((home.address.clone(), String::new()), |(a, b)| {
                (a.to_string(), b.to_string())
            });
        let (level, limit) = LIMITS[rng.gen_range(0..LIMITS.len())];
        let valid_from = m.plus(-rng.gen_range(0..12)).first_day();
        let valid_to = valid_from.add_months(24).add_days(-1);
        let certified_on = valid_from.add_days(-rng.gen_range(1..20));
        let plan_date = valid_from
            .max(m.plus(-3).first_day())
            .add_days(rng.gen_range(0..20));
        let planner_sex = if rng.gen_bool(0.7) {
            Sex::Female
        } else {
            Sex::Male
        };
        let planner = names.sample(&mut rng, planner_sex, 1980);
        // 1–4 distinct kinds, each with an office.
        let mut kinds: Vec<usize> = (0..KINDS.len()).collect();
        for j in (1..kinds.len()).rev() {
            kinds.swap(j, rng.gen_range(0..=j));
        }
        kinds.truncate(rng.gen_range(1..=4));
        kinds.sort_unstable();
        let favourite = c % corp_count;
        let chosen: Vec<usize> = kinds
            .iter()
            .map(|&k| {
                let of_kind: Vec<usize> = (k..service_count).step_by(KINDS.len()).collect();
                let fav: Vec<usize> = of_kind
                    .iter()
                    .copied()
                    .filter(|&o| o / 10 == favourite)
                    .collect();
                if c.is_multiple_of(2) && !fav.is_empty() && rng.gen_bool(0.9) {
                    fav[rng.gen_range(0..fav.len())]
                } else {
                    of_kind[rng.gen_range(0..of_kind.len())]
                }
            })
            .collect();
        let mut needs = Vec::new();
        for (n, (&k, &o)) in kinds.iter().zip(&chosen).enumerate() {
            let s = SERVICES[k];
            needs.push(need_row(
                plan_date,
                n as u32 + 1,
                s.6,
                s.7,
                s.2,
                Some((KINDS[k], service(o))),
                &mut rng,
            ));
        }
        let total = rng.gen_range(2..=6).max(needs.len());
        while needs.len() < total {
            let n = needs.len() as u32 + 1;
            needs.push(need_row(
                plan_date,
                n,
                "家族の介護負担が大きい",
                "家族が休息できる",
                "家族による見守り、声かけ",
                None,
                &mut rng,
            ));
        }
        let overview = PlanOverview {
            created_on: plan_date,
            origin: if valid_from == plan_date {
                PlanOrigin::First
            } else {
                PlanOrigin::Continued
            },
            certified: true,
            user_postal_code: home.postal_code.clone(),
            user_address1: address1.clone(),
            user_address2: address2.clone(),
            planner_name: planner.name,
            office: care.number,
            office_name: care.name.clone(),
            office_postal_code: care_places[c].postal_code.clone(),
            office_address1: care_places[c].address.clone(),
            office_address2: String::new(),
            first_plan_date: Some(valid_from.add_months(-rng.gen_range(0..36))),
            certified_on: Some(certified_on),
            valid_from: Some(valid_from),
            valid_to: Some(valid_to),
            care_level: Some(level),
            intentions: "本人：住み慣れた自宅で暮らし続けたい。\r\n家族：できる範囲で支えたい。"
                .into(),
            committee_opinion: "なし".into(),
            policy: "転倒を防ぎ,自宅での生活が続けられるよう支援します。".into(),
            living_support_reason: None,
            living_support_note: String::new(),
        };
        let mut person_docs = vec![(
            usize::MAX,
            Document::Plan(CarePlan {
                person,
                plan_date,
                overview,
                needs,
            }),
        )];
        for (&k, &o) in kinds.iter().zip(&chosen) {
            let (use_doc, results) = month_documents(
                m,
                person,
                care.number,
                level,
                limit,
                k,
                service(o),
                &mut rng,
            );
            person_docs.push((o, Document::ServiceUse(use_doc)));
            person_docs.push((o, Document::Results(results)));
        }
        persons.push(GeneratedPerson {
            person,
            care_office: care.number,
            service_offices: chosen.iter().map(|&o| service(o).number).collect(),
        });
        let supplement = Supplement {
            person,
            plan_date,
            kana: name.kana,
            name: name.name,
            sex,
            birth_date: birth,
            postal_code: home.postal_code,
            address1,
            address2,
            phone: format!(
                "03-{:04}-{:04}",
                rng.gen_range(1000..10_000),
                rng.gen_range(0..10_000)
            ),
            certified_on: Some(certified_on),
            limit_from: Some(valid_from),
            limit_to: Some(valid_to),
            care_level: Some(level),
        };
        docs.push((c, person_docs, supplement));
    }

    let mut units = Vec::new();
    let header = |unit, serial, month, sender, receiver| UnitHeader {
        unit,
        serial,
        month,
        sender,
        receiver,
        created: spec.created.clone(),
    };
    let mut emit = |h: UnitHeader, documents: Vec<Document>| {
        if documents.is_empty() {
            return;
        }
        let unit = SendUnit::from_documents(h.clone(), documents);
        let files = careplan::write_unit(&unit).expect("generated text is CP932");
        units.push(GeneratedUnit {
            kind: h.unit,
            files,
        });
    };
    for (c, care) in offices.iter().enumerate().take(care_count) {
        let mine = || docs.iter().filter(move |d| d.0 == c);
        let mut plan_docs = Vec::new();
        for (_, ds, s) in mine() {
            plan_docs.push(ds[0].1.clone());
            plan_docs.push(Document::Supplement(s.clone()));
        }
        emit(
            header(UnitKind::Plan, Some(1), None, care.number, None),
            plan_docs,
        );
        let mut by_office: BTreeMap<usize, Vec<Document>> = BTreeMap::new();
        for (_, ds, s) in mine() {
            for (o, d) in ds.iter().filter(|d| matches!(d.1, Document::ServiceUse(_))) {
                let v = by_office.entry(*o).or_default();
                v.push(d.clone());
                v.push(Document::Supplement(s.clone()));
            }
        }
        for (o, documents) in by_office {
            emit(
                header(
                    UnitKind::ServiceUse,
                    None,
                    Some(m),
                    care.number,
                    Some(service(o).number),
                ),
                documents,
            );
        }
    }
    for o in 0..service_count {
        for (c, care) in offices.iter().enumerate().take(care_count) {
            let documents: Vec<Document> = docs
                .iter()
                .filter(|d| d.0 == c)
                .flat_map(|d| d.1.iter())
                .filter(|(oo, d)| *oo == o && matches!(d, Document::Results(_)))
                .map(|(_, d)| d.clone())
                .collect();
            emit(
                header(
                    UnitKind::Results,
                    None,
                    Some(m),
                    service(o).number,
                    Some(care.number),
                ),
                documents,
            );
        }
    }
    if spec.deletions {
        for (c, care) in offices.iter().enumerate().take(care_count) {
            let Some((_, ds, s)) = docs.iter().find(|d| d.0 == c) else {
                continue;
            };
            let person = s.person;
            let old = s.plan_date.add_months(-6);
            emit(
                header(UnitKind::PlanDeletion, Some(2), None, care.number, None),
                vec![Document::Deletion(Deletion::Plan {
                    person,
                    plan_date: old,
                })],
            );
            let o = ds.iter().find(|d| d.0 != usize::MAX).map_or(0, |d| d.0);
            let prev = m.plus(-1);
            emit(
                header(
                    UnitKind::ServiceUseDeletion,
                    None,
                    Some(prev),
                    care.number,
                    Some(service(o).number),
                ),
                vec![Document::Deletion(Deletion::ServiceUse {
                    person,
                    month: prev,
                })],
            );
            emit(
                header(
                    UnitKind::ResultsDeletion,
                    None,
                    Some(prev),
                    service(o).number,
                    Some(care.number),
                ),
                vec![Document::Deletion(Deletion::Results {
                    person,
                    month: prev,
                })],
            );
        }
    }
    GeneratedMonth {
        units,
        persons,
        offices,
        corporations,
    }
}

//! Aggregates (`decide_aggregate`): counts over a whole 保険者, against the oracle's municipal
//! rows; and the record kinds' categories an export is decided on.

use super::super::*;
use super::oracle::municipal_reads;
use super::*;
use crate::records::RecordKind;
use std::collections::HashSet;

fn aggregate(actor: Actor, category: Category) -> Decision {
    decide_aggregate(&AggregateRequest {
        actor,
        insurer: person().insurer,
        category,
    })
}

/// Every actor kind × category, with the reason restated from the rules, not read from the
/// code. Returns the reasons seen, for the "every code is reachable" check.
pub(super) fn sweep() -> (HashSet<Reason>, usize) {
    let mut actors = vec![
        Actor::PlatformOperator,
        Actor::Citizen { person: person() },
        doctor(Job::Physician),
    ];
    actors.extend(OfficeKind::ALL.iter().map(|&k| staff(k, Job::CareManager)));
    for &purpose in Purpose::ALL {
        for insurer in [person().insurer, other_insurer()] {
            actors.push(Actor::MunicipalStaff { insurer, purpose });
        }
    }
    let (mut seen, mut n) = (HashSet::new(), 0);
    for &actor in &actors {
        for &category in Category::ALL {
            let want = match actor {
                Actor::PlatformOperator => Reason::OperatorNoPersonalData,
                Actor::Citizen { .. } => Reason::NotSelf,
                Actor::MunicipalStaff { insurer, .. } if insurer != person().insurer => {
                    Reason::OtherInsurer
                }
                Actor::MunicipalStaff { purpose, .. } if municipal_reads(purpose, category) => {
                    Reason::MunicipalAggregate
                }
                Actor::MunicipalStaff { .. } => Reason::CategoryNotPermittedForPurpose,
                Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. } => {
                    Reason::CategoryNotPermittedForOfficeKind
                }
            };
            let got = aggregate(actor, category);
            assert_eq!(got.reason(), want, "{actor:?} {category:?}");
            assert_eq!(got.allowed(), want == Reason::MunicipalAggregate);
            seen.insert(want);
            n += 1;
        }
    }
    (seen, n)
}

#[test]
fn aggregates_belong_to_the_insurers_own_staff_within_the_purpose() {
    let (seen, n) = sweep();
    assert_eq!(n, (3 + 8 + 2 * 5) * 6);
    assert!(seen.contains(&Reason::MunicipalAggregate));
}

#[test]
fn an_aggregate_is_never_wider_than_a_read_of_one_person() {
    // Whoever may compute counts over a category may read any one person of the 保険者 in it
    // (the converse need not hold: a citizen reads their own data but no totals).
    for &purpose in Purpose::ALL {
        let actor = Actor::MunicipalStaff {
            insurer: person().insurer,
            purpose,
        };
        for &category in Category::ALL {
            if aggregate(actor, category).allowed() {
                let one = ask(actor, Action::Read, category, Evidence::default());
                assert!(one.allowed(), "{purpose:?} {category:?}");
            }
        }
    }
}

#[test]
fn every_purpose_may_count_qualification_data() {
    // `kiban stats` counts 被保険者証, 負担割合証 and 減免減額認定証 (資格情報) under any purpose.
    for &purpose in Purpose::ALL {
        let actor = Actor::MunicipalStaff {
            insurer: person().insurer,
            purpose,
        };
        assert!(aggregate(actor, Category::Qualification).allowed());
    }
}

#[test]
fn record_kinds_fall_in_the_qualification_and_housing_columns() {
    use Category::{HousingEquipment, Qualification};
    let got: Vec<_> = RecordKind::ALL
        .iter()
        .map(|&k| Category::of_record(k))
        .collect();
    assert_eq!(
        got,
        [
            Qualification,
            Qualification,
            Qualification,
            HousingEquipment,
            HousingEquipment
        ]
    );
}

//! Evidence for thousands of decisions at once. A care office's month arrives as one upload of
//! thousands of persons; loading each person's consents and relationships with their own queries
//! costs a round trip per query on PostgreSQL, which dominated the upload. Here they are loaded
//! per batch, and each person is still decided on their own by the same `decide`, with the same
//! evidence [`super::decide_only`] would load: office staff reading or writing a category whose
//! policy needs only consents and 担当関係 (not the certification categories, whose application
//! consent and 計画作成依頼届出 come from elsewhere). Anything else takes the per-person path.

use super::{consent, decide_loaded, serving, Caller, Loaded};
use crate::Result;
use kiban_domain::access::{
    Action, Category, ConsentCategory, Decision, Party, PersonRef, Serving, Timestamp,
};
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_store::Store;
use std::collections::HashMap;

/// Consents and relationships of a batch of persons, keyed by (保険者番号, 被保険者番号), in
/// the form [`super::load_evidence`] gives one person's.
pub(crate) struct BulkEvidence {
    party: Party,
    persons: HashMap<(InsurerNumber, InsuredNumber), Loaded>,
}

impl BulkEvidence {
    /// Loads the evidence of `persons` for `caller`, or `None` when this caller and category need
    /// evidence the bulk path does not load.
    pub(crate) fn load(
        store: &mut dyn Store,
        caller: &Caller,
        category: Category,
        persons: &[PersonRef],
    ) -> Result<Option<Self>> {
        let Some(party @ Party::Office(office)) = caller.party() else {
            return Ok(None);
        };
        if category.consent_category() == ConsentCategory::Certification {
            return Ok(None);
        }
        let mut by_insurer: HashMap<String, Vec<String>> = HashMap::new();
        for p in persons {
            by_insurer
                .entry(p.insurer.to_string())
                .or_default()
                .push(p.insured.to_string());
        }
        let mut bulk = Self {
            party,
            persons: HashMap::new(),
        };
        let office = office.to_string();
        crate::in_read(store, |s| {
            for (insurer, insureds) in &by_insurer {
                for row in s.consents_of_many(insurer, insureds, &office)? {
                    bulk.persons
                        .entry((row.insurer, row.insured))
                        .or_default()
                        .consents
                        .push(consent(&row, party));
                }
                for row in s.servers_of_many(insurer, insureds)? {
                    bulk.persons
                        .entry((row.insurer, row.insured))
                        .or_default()
                        .servings
                        .push(serving(&row));
                }
            }
            Ok(())
        })?;
        Ok(Some(bulk))
    }

    fn key(person: PersonRef) -> (InsurerNumber, InsuredNumber) {
        (person.insurer, person.insured)
    }

    /// The person's 担当関係 (every office's).
    pub(crate) fn servings(&self, person: PersonRef) -> &[Serving] {
        self.persons
            .get(&Self::key(person))
            .map(|l| l.servings.as_slice())
            .unwrap_or(&[])
    }

    /// The decision for one person, as [`super::decide_only`] would make it.
    pub(crate) fn decide(
        &self,
        caller: &Caller,
        action: Action,
        category: Category,
        person: PersonRef,
        at: Timestamp,
    ) -> Decision {
        debug_assert_eq!(caller.party(), Some(self.party));
        let none = Loaded::default();
        let loaded = self.persons.get(&Self::key(person)).unwrap_or(&none);
        decide_loaded(caller, action, category, person, at, loaded, None)
    }
}

//! What a generated month implies beyond its files: who serves whom (the relationships a
//! receiving office must have for the send rule) and which corporation runs each service office.

use super::GeneratedMonth;
use kiban_domain::careplan::PlanPerson;
use kiban_domain::ids::OfficeNumber;

impl GeneratedMonth {
    /// Every (person, office) 担当関係 the month needs: each person with its care office and the
    /// service offices its plan names, in person order.
    pub fn relations(&self) -> Vec<(PlanPerson, OfficeNumber)> {
        self.persons
            .iter()
            .flat_map(|p| {
                std::iter::once(p.care_office)
                    .chain(p.service_offices.iter().copied())
                    .map(move |o| (p.person, o))
            })
            .collect()
    }

    /// The corporation registry of the service offices as CSV (`法人番号,法人名,事業所番号,事業所名`,
    /// with its header line), the form the municipal registry upload reads.
    pub fn corporations_csv(&self) -> String {
        let mut csv = String::from("法人番号,法人名,事業所番号,事業所名\n");
        for o in &self.offices {
            if let Some(c) = o.corporation {
                let corp = &self.corporations[c];
                csv.push_str(&format!(
                    "{},{},{},{}\n",
                    corp.number, corp.name, o.number, o.name
                ));
            }
        }
        csv
    }
}

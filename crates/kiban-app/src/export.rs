//! Writing the stored registry back out as interface files (全件), one per record kind, for an
//! actor the access policy decides on person by person. Withdrawn versions are left out: an
//! export is the registry as it stands.
//!
//! The order is chosen so that no person's data reaches a file before their access is on the
//! audit log:
//! 1. a first pass lists the persons of each kind (only their 被保険者番号 are kept);
//! 2. each person gets a decision for each category their kinds fall in (資格情報 for the three
//!    証, 住宅改修・福祉用具 for the two usage records), action `export`, from
//!    `access::authorize_each`, which commits the audit events in batches;
//! 3. only then are the files written, with the rows of allowed persons only.
//!
//! A failing audit append therefore leaves no file behind. A crash while writing leaves events
//! for an export that did not finish: the log errs on the side of showing an access. A person
//! stored between the passes has no decision and is left out.

use crate::access::{self, Caller};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Category, PersonRef, Timestamp};
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::RecordKind;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::{FileName, Format, LoadMode};
use kiban_interchange::writer::Writer;
use kiban_store::Store;
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: Format,
    pub encoding: Encoding,
    /// 作成日時 for the file names, `YYYYMMDDHHMMSS`.
    pub created: String,
}

/// One exported file.
#[derive(Debug, Clone)]
pub struct Exported {
    pub path: PathBuf,
    pub rows: u64,
}

/// The policy's answers for one category of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDecisions {
    pub category: Category,
    pub allowed: u64,
    /// Refused persons per reason code.
    pub refused: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The files written. A kind whose every person was refused gets no file: a header-only
    /// 全件 file would claim the registry holds nobody of that kind.
    pub files: Vec<Exported>,
    /// Per category with stored persons, in the order of [`RecordKind::ALL`].
    pub decisions: Vec<CategoryDecisions>,
}

impl ExportReport {
    /// Persons left out of at least one file by the policy (counted once per category).
    pub fn refused(&self) -> u64 {
        self.decisions.iter().flat_map(|d| d.refused.values()).sum()
    }
}

pub fn export_insurer(
    conn: &mut Connection,
    caller: &Caller,
    insurer: InsurerNumber,
    dir: &Path,
    options: &ExportOptions,
    at: Timestamp,
) -> Result<ExportReport> {
    let store = conn.store();
    let persons_of = persons_by_kind(store, insurer)?;

    // Decide (and audit) per category, so a person with several 証 gets one event for them.
    let mut decisions = Vec::new();
    let mut allowed_in: Vec<(Category, Vec<InsuredNumber>)> = Vec::new();
    for (kind, _) in &persons_of {
        let category = Category::of_record(*kind);
        if allowed_in.iter().any(|(c, _)| *c == category) {
            continue;
        }
        let mut persons: Vec<InsuredNumber> = persons_of
            .iter()
            .filter(|(k, _)| Category::of_record(*k) == category)
            .flat_map(|(_, list)| list.iter().copied())
            .collect();
        persons.sort_unstable();
        persons.dedup();
        let refs: Vec<PersonRef> = persons
            .iter()
            .map(|&insured| PersonRef { insurer, insured })
            .collect();
        let answers = access::authorize_each(store, caller, Action::Export, category, &refs, at)?;
        let mut summary = CategoryDecisions {
            category,
            allowed: 0,
            refused: BTreeMap::new(),
        };
        let mut allowed = Vec::with_capacity(persons.len());
        for (person, decision) in persons.into_iter().zip(answers) {
            if decision.allowed() {
                summary.allowed += 1;
                allowed.push(person);
            } else {
                *summary.refused.entry(decision.reason().code()).or_default() += 1;
            }
        }
        if !refs.is_empty() {
            decisions.push(summary);
        }
        allowed_in.push((category, allowed));
    }

    std::fs::create_dir_all(dir)?;
    let mut files = Vec::new();
    for (kind, persons) in &persons_of {
        let category = Category::of_record(*kind);
        let allowed = allowed_in
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, a)| a.as_slice())
            .unwrap_or_default();
        let may = |p: &InsuredNumber| allowed.binary_search(p).is_ok();
        if !persons.is_empty() && !persons.iter().any(may) {
            continue;
        }
        files.push(write_kind(store, *kind, insurer, dir, options, &may)?);
    }
    Ok(ExportReport { files, decisions })
}

/// The persons with a non-withdrawn version of each kind, in the store's person order.
fn persons_by_kind(
    store: &mut dyn Store,
    insurer: InsurerNumber,
) -> Result<Vec<(RecordKind, Vec<InsuredNumber>)>> {
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
        let mut persons: Vec<InsuredNumber> = Vec::new();
        store.for_each_version(kind, insurer, false, &mut |v| {
            // Versions arrive grouped by person: comparing with the last is a full dedup.
            if persons.last() != Some(&v.key.insured) {
                persons.push(v.key.insured);
            }
            Ok(())
        })?;
        out.push((kind, persons));
    }
    Ok(out)
}

/// Writes one kind's file with the rows of the persons `may` admits.
fn write_kind(
    store: &mut dyn Store,
    kind: RecordKind,
    insurer: InsurerNumber,
    dir: &Path,
    options: &ExportOptions,
    may: &dyn Fn(&InsuredNumber) -> bool,
) -> Result<Exported> {
    let name = FileName {
        kind,
        insurer,
        mode: LoadMode::Full,
        created: options.created.clone(),
        format: options.format,
    };
    let path = dir.join(name.to_string());
    let file = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut writer = Writer::new(file, kind, options.format, options.encoding)?;
    let mut rows = 0u64;
    let mut io_error = None;
    store.for_each_version(kind, insurer, false, &mut |v| {
        if !may(&v.key.insured) {
            return Ok(());
        }
        if let Err(e) = writer.write(&v) {
            io_error.get_or_insert(e);
        }
        rows += 1;
        Ok(())
    })?;
    if let Some(e) = io_error {
        return Err(e.into());
    }
    writer.finish()?;
    Ok(Exported { path, rows })
}

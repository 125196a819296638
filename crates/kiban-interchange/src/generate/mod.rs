//! The synthetic municipality generator: a complete 全件 (ZENKEN) load of all five record
//! kinds for `persons` made-up residents of one 保険者, written through the canonical
//! [`Writer`] so that generate → import → export reproduces the files byte for byte.
//!
//! Everything is synthetic: names are random pairings from common-name tables, addresses
//! invented street numbers in real or generic towns, offices and facilities invented.
//!
//! - Streaming: each person is generated and written to the five files before the next one,
//!   so memory stays flat; 1,000,000 persons take a few seconds in release mode.
//! - Deterministic: person `i` draws from its own ChaCha8 stream (`set_stream(i)`) of the
//!   seed's key, so the output depends only on the seed, the options and `i`, and the first
//!   N persons of a larger run equal a run of N.
//! - Ordered as an export is: by 被保険者番号 (`0000100001 + i`, strictly increasing), then by
//!   履歴番号; history 1 is 操作区分 A and later versions C.
//!
//! The distributions are documented where they are drawn: [`people`] (ages, certification,
//! levels, qualification), [`certification`] (periods, care plans), [`cards`] (card history),
//! [`certificates`] (負担割合, 減免, ledger shares), [`usage`] (ledgers), [`places`]
//! (municipality, addresses, offices) and [`names`].

mod cards;
pub mod careplan;
mod certificates;
mod certification;
mod names;
mod people;
mod places;
#[cfg(test)]
mod tests;
mod usage;

use crate::encoding::Encoding;
use crate::file_name::{FileName, Format, LoadMode};
use crate::writer::Writer;
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use kiban_domain::records::{Operation, RecordBody, RecordKind, Version, VersionKey};
use rand::distributions::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub insurer: InsurerNumber,
    pub persons: u64,
    pub seed: u64,
    pub format: Format,
    pub encoding: Encoding,
    /// 作成日時 `YYYYMMDDHHMMSS` used in the file names.
    pub created: String,
    /// The reference "today": ages, validity periods and histories are as of this day.
    pub as_of: Date,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Each file with its number of data rows, in [`RecordKind::ALL`] order.
    pub files: Vec<(PathBuf, u64)>,
    pub persons: u64,
    /// Persons whose latest card carries a 要支援 or 要介護 certification (事業対象者 excluded,
    /// lapsed certifications included).
    pub certified: u64,
}

/// The first 被保険者番号; person `i` gets `FIRST_INSURED + i`.
pub const FIRST_INSURED: u64 = 100_001;

const BUFFER_BYTES: usize = 1 << 20;
const PROGRESS_EVERY: u64 = 10_000;

/// Writes the five 全件 files into `dir` (created if missing) and reports progress as the
/// number of persons done, every 10,000 persons and at the end.
pub fn generate(
    dir: &Path,
    options: &GenerateOptions,
    progress: &mut dyn FnMut(u64),
) -> io::Result<GenerateSummary> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    let as_of = options.as_of;
    if !(2001..=9000).contains(&as_of.year()) {
        return Err(invalid(format!(
            "基準日は2001年から9000年までです: {as_of} / as-of must be in 2001–9000: {as_of}"
        )));
    }
    if FIRST_INSURED + options.persons > 10_000_000_000 {
        return Err(invalid(format!(
            "人数が多すぎます: {} / too many persons: {}",
            options.persons, options.persons
        )));
    }
    std::fs::create_dir_all(dir)?;
    let ctx = Context::new(options);
    let mut files = Vec::with_capacity(RecordKind::ALL.len());
    let mut writers = Vec::with_capacity(RecordKind::ALL.len());
    for kind in RecordKind::ALL {
        let name = FileName {
            kind,
            insurer: options.insurer,
            mode: LoadMode::Full,
            created: options.created.clone(),
            format: options.format,
        }
        .to_string();
        FileName::parse(&name, CheckDigitPolicy::Enforce).map_err(|e| invalid(e.to_string()))?;
        let path = dir.join(&name);
        let out = BufWriter::with_capacity(BUFFER_BYTES, File::create(&path)?);
        writers.push(Writer::new(out, kind, options.format, options.encoding)?);
        files.push((path, 0u64));
    }

    let key = ChaCha8Rng::seed_from_u64(options.seed).get_seed();
    let mut rows: [Vec<Version>; 5] = Default::default();
    let mut certified = 0;
    for i in 0..options.persons {
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(i);
        let insured = InsuredNumber::from_u64(FIRST_INSURED + i).expect("checked above");
        let person = people::generate(&ctx, &mut rng, insured);
        certified += u64::from(person.is_certified());
        rows.iter_mut().for_each(Vec::clear);
        let [card, copay, reduction, home, equipment] = &mut rows;
        cards::versions(&ctx, &mut rng, &person, card);
        let rates = certificates::copay_rates(&mut rng, &person);
        certificates::copay(&ctx, &mut rng, &person, rates, copay);
        certificates::reduction(&ctx, &mut rng, &person, reduction);
        usage::home(&ctx, &mut rng, &person, rates, home);
        usage::equipment(&ctx, &mut rng, &person, rates, equipment);
        for ((writer, file), versions) in writers.iter_mut().zip(&mut files).zip(&rows) {
            for v in versions {
                writer.write(v)?;
            }
            file.1 += versions.len() as u64;
        }
        if (i + 1) % PROGRESS_EVERY == 0 {
            progress(i + 1);
        }
    }
    for writer in writers {
        writer
            .finish()?
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()?;
    }
    progress(options.persons);
    Ok(GenerateSummary {
        files,
        persons: options.persons,
        certified,
    })
}

/// Tables shared by every person of a run.
struct Context {
    pub insurer: InsurerNumber,
    pub as_of: Date,
    pub names: names::NameTables,
    pub municipality: places::Municipality,
    pub age_bands: WeightedIndex<u32>,
    pub second_bands: WeightedIndex<u32>,
    pub levels: WeightedIndex<u32>,
}

impl Context {
    fn new(options: &GenerateOptions) -> Self {
        Self {
            insurer: options.insurer,
            as_of: options.as_of,
            names: names::NameTables::new(),
            municipality: places::Municipality::new(options.insurer, options.persons),
            age_bands: WeightedIndex::new(people::AGE_BANDS.iter().map(|b| b.2)).expect("weights"),
            second_bands: WeightedIndex::new(people::SECOND_BANDS.iter().map(|b| b.2))
                .expect("weights"),
            levels: WeightedIndex::new(people::LEVELS.iter().map(|l| l.1)).expect("weights"),
        }
    }
}

/// A uniformly drawn day in `from..=to`, or `None` if the range is empty.
fn between<R: Rng>(rng: &mut R, from: Date, to: Date) -> Option<Date> {
    let (a, b) = (from.to_days(), to.to_days());
    (a <= b).then(|| Date::from_days(rng.gen_range(a..=b)))
}

/// A version of `insured`; history 1 is an addition (A), later ones changes (C).
fn version(
    ctx: &Context,
    insured: InsuredNumber,
    history: u16,
    applies_from: Date,
    body: RecordBody,
) -> Version {
    Version {
        key: VersionKey {
            insurer: ctx.insurer,
            insured,
            history,
        },
        operation: if history == 1 {
            Operation::Add
        } else {
            Operation::Change
        },
        applies_from,
        body,
    }
}

//! Writing the stored registry back out as interface files (全件), one per record kind.
//! Withdrawn versions are left out: an export is the registry as it stands.

use crate::Result;
use kiban_domain::ids::InsurerNumber;
use kiban_domain::records::RecordKind;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::{FileName, Format, LoadMode};
use kiban_interchange::writer::Writer;
use kiban_store::Store;
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

pub fn export_insurer(
    store: &mut dyn Store,
    insurer: InsurerNumber,
    dir: &Path,
    options: &ExportOptions,
) -> Result<Vec<Exported>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
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
        out.push(Exported { path, rows });
    }
    Ok(out)
}

//! The official ケアプランデータ連携 CSV layout (第4.1版): file names ([`name`]) and whole files
//! ([`file`]), over the record types of `kiban_domain::careplan::official`.

mod assemble;
pub mod file;
pub mod name;
mod unit;
mod v5;
mod write;

pub use assemble::{assemble, UnitError};
pub use unit::{Document, PersonEntry, SendUnit, SourceLine, UnitHeader, UnitKind};
pub use v5::{
    from_v5, to_v5, to_v5_documents, v5_to_unit, v5_to_value, v5_values_to_unit, V5Document,
    V5Error, V5_VERSION,
};
pub use write::write_unit;

pub use file::{
    layout, read_file, write_file, FileError, OfficialFile, OfficialLine, OfficialRecord,
    WriteError,
};
pub use name::{parse_file_name, FileKind, FileName, FileNameError};

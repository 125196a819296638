//! The official ケアプランデータ連携 CSV layout (第4.1版): file names ([`name`]) and whole files
//! ([`file`]), over the record types of `kiban_domain::careplan::official`.

pub mod file;
pub mod name;

pub use file::{
    layout, read_file, write_file, FileError, OfficialFile, OfficialLine, OfficialRecord,
    WriteError,
};
pub use name::{parse_file_name, FileKind, FileName, FileNameError};

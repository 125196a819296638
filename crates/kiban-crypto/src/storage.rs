//! Files that hold keys. Secret files are created owner-only (0600) and refused on load when
//! others can read them, as ssh does: a key that has leaked to other local users must not be
//! used silently.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("ファイル {} を読み書きできません: {source} / cannot read or write {}: {source}", .path.display(), .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("秘密鍵ファイル {} は他のユーザーも読めます（権限 {mode:o}、0600 にしてください） / secret file {} is readable by others (mode {mode:o}); restrict it to 0600", .path.display(), .path.display())]
    InsecurePermissions { path: PathBuf, mode: u32 },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a secret with owner-only permissions. The mode is set before any byte is written, so
/// the secret is never readable by others, not even for a moment.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<(), StorageError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error(path))?;
    #[cfg(unix)]
    {
        // `mode` only applies to new files; an existing file keeps its old permissions.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_error(path))?;
    }
    file.write_all(contents).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}

/// Reads a secret written by [`write_secret`], refusing it if group or others may read it.
pub fn read_secret(path: &Path) -> Result<Zeroizing<String>, StorageError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map_err(io_error(path))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(StorageError::InsecurePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(io_error(path))
}

/// Writes a public file (a certificate, a public key, a CRL).
pub fn write_public(path: &Path, contents: &[u8]) -> Result<(), StorageError> {
    fs::write(path, contents).map_err(io_error(path))
}

pub fn read_public(path: &Path) -> Result<String, StorageError> {
    fs::read_to_string(path).map_err(io_error(path))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn secret_files_are_owner_only_and_wide_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_secret(&path, b"secret").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read_secret(&path).unwrap().as_str(), "secret");

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_secret(&path),
            Err(StorageError::InsecurePermissions { mode: 0o644, .. })
        ));
        // Rewriting tightens an existing file again.
        write_secret(&path, b"again").unwrap();
        assert_eq!(read_secret(&path).unwrap().as_str(), "again");
    }
}

//! The disk fills up during an import: a clear error, nothing of the failing file committed,
//! and the same command succeeds once space returns. The database lives on a small tmpfs
//! (SQLite: the database file; PostgreSQL: a tablespace holding a database of its own), so
//! these tests mount filesystems and need root, as CI on this machine runs.

use kiban_testkit::TestDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::{ok, sorted_files};

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts `megabytes` at a fresh directory under /var/tmp (whose parents every user can
    /// traverse: the PostgreSQL server runs as `postgres`).
    fn mount(name: &str, megabytes: u32, owner: Option<&str>) -> Self {
        let dir = PathBuf::from(format!("/var/tmp/kiban-{name}-{:x}", rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={megabytes}m,mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "mounting a tmpfs failed: the disk-full tests need root (CI runs as root)"
        );
        if let Some(owner) = owner {
            assert!(Command::new("chown")
                .arg(format!("{owner}:{owner}"))
                .arg(&dir)
                .status()
                .unwrap()
                .success());
        }
        Self { dir }
    }

    fn resize(&self, megabytes: u32) {
        assert!(Command::new("mount")
            .args(["-o", &format!("remount,size={megabytes}m"), "tmpfs"])
            .arg(&self.dir)
            .status()
            .unwrap()
            .success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ u64::from(std::process::id()) << 32
}

/// 20,000 persons: larger than the small filesystem, small enough for a quick rerun.
fn generated() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gen");
        ok(crate::kiban(
            "sqlite://unused",
            &[
                "generate",
                "--persons",
                "20000",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        ));
        let files = sorted_files(&out);
        (dir, files)
    })
}

/// Data rows per kind (file name prefix), from the files themselves.
fn rows_per_kind(files: &[PathBuf]) -> BTreeMap<String, u64> {
    files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_str().unwrap();
            let kind = name.split('_').next().unwrap().to_string();
            let lines = std::fs::read(f)
                .unwrap()
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .count();
            (kind, lines as u64 - 1)
        })
        .collect()
}

fn versions_by_kind(db: &str, cwd: &Path) -> BTreeMap<String, u64> {
    let text = ok(crate::kiban(
        db,
        &["stats", "--as-of", "20261101", "--json"],
        cwd,
    ));
    if text.trim().is_empty() {
        return BTreeMap::new();
    }
    let value: serde_json::Value = serde_json::from_str(&text).expect("stats JSON");
    value["versions_by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
        .collect()
}

fn import(db: &str, files: &[PathBuf], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiban"))
        .arg("import")
        .args(files)
        .env("KIBAN_DATABASE_URL", db)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Imports into `db` on a filesystem that is too small, checks the error and that every kind
/// is whole or absent, then grows the filesystem and shows the rerun completes the registry.
fn import_survives_a_full_disk(db: &str, space: &Tmpfs, cwd: &Path) {
    let (_, files) = generated();
    let expected = rows_per_kind(files);
    let out = import(db, files, cwd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the import fit on the small disk");
    assert!(
        stderr.contains("ディスクの空き容量が足りません") && stderr.contains("the disk is full"),
        "{stderr}"
    );
    // Reading the statistics is audited, which needs room too; what the failed import left
    // does not change when the filesystem grows.
    space.resize(512);
    let stored = versions_by_kind(db, cwd);
    for (kind, n) in &stored {
        assert!(
            *n == 0 || *n == expected[kind],
            "{kind}: {n} of {} versions committed on a full disk",
            expected[kind]
        );
    }
    assert!(
        stored.values().any(|&n| n == 0) || stored.is_empty(),
        "every file was committed: the disk never filled ({stored:?})"
    );
    let again = import(db, files, cwd);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(versions_by_kind(db, cwd), expected);
}

#[test]
fn import_on_a_full_disk_commits_nothing_half_and_recovers_on_sqlite() {
    let space = Tmpfs::mount("sqlite-full", 6, None);
    let db = format!("sqlite://{}/kiban.db", space.dir.display());
    let work = tempfile::tempdir().unwrap();
    ok(crate::kiban(&db, &["migrate"], work.path()));
    import_survives_a_full_disk(&db, &space, work.path());
}

#[test]
fn import_on_a_full_disk_commits_nothing_half_and_recovers_on_postgres() {
    // A tablespace on the small filesystem, and a database of its own inside it: the schema
    // of a `TestDb` would live in the server's default tablespace.
    let space = Tmpfs::mount("pg-full", 12, Some("postgres"));
    let name = format!("kiban_full_{:x}", rand_suffix());
    let admin = TestDb::postgres();
    admin.sql(&format!(
        "CREATE TABLESPACE {name} LOCATION '{}'",
        space.dir.display()
    ));
    admin.sql(&format!("CREATE DATABASE {name} TABLESPACE {name}"));
    struct Cleanup<'a>(&'a TestDb, String);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            let name = &self.1;
            self.0
                .sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            self.0.sql(&format!("DROP TABLESPACE IF EXISTS {name}"));
        }
    }
    let _cleanup = Cleanup(&admin, name.clone());
    let base = kiban_testkit::postgres_url();
    let db = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let work = tempfile::tempdir().unwrap();
    ok(crate::kiban(&db, &["migrate"], work.path()));
    import_survives_a_full_disk(&db, &space, work.path());
}

/// The disk fills up while `kiban serve` answers reads: a read whose audit event cannot be
/// written is refused with 503 `STORAGE_FULL` (never answered unaudited), and reads are
/// answered again, without a restart, once space returns.
#[test]
fn serving_on_a_full_disk_refuses_unaudited_reads_and_recovers_on_sqlite() {
    use super::serve::{insured, Api, OFFICE_CERT};
    use crate::running::{demo, Server};
    let space = Tmpfs::mount("serve-full", 64, None);
    let db_url = format!("sqlite://{}/kiban.db", space.dir.display());
    let data = tempfile::tempdir().unwrap();
    demo(&db_url, data.path());
    let server = Server::start(&db_url, data.path());
    let api = Api::login(data.path(), server.port, "cm01", Some(OFFICE_CERT), 0);
    let path = |i: u32| format!("/persons/131011/{}/qualification", insured(1 + i % 300));
    assert_eq!(api.get_any(&path(0)).0, 200);

    // Fill every byte that is left.
    let filler = space.dir.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 1 << 20];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let mut answered_full = 0;
    let mut refused = 0;
    for i in 0..2_000 {
        let (status, body) = api.get_any(&path(i));
        match status {
            200 => answered_full += 1,
            503 => {
                assert_eq!(body["error"]["code"], "STORAGE_FULL", "{body}");
                refused += 1;
                if refused >= 3 {
                    break;
                }
            }
            other => panic!("a read on a full disk answered {other}: {body}"),
        }
    }
    assert!(
        refused > 0,
        "{answered_full} reads answered and none refused: the disk never filled"
    );

    std::fs::remove_file(&filler).unwrap();
    let (status, body) = api.get_any(&path(1));
    assert_eq!(status, 200, "no recovery once space returned: {body}");
    server.kill();

    crate::audit_intact(&db_url, data.path());
}

//! An office PC's client certificate, for headless Chromium. On Linux Chromium reads client
//! certificates from the NSS database `$HOME/.pki/nssdb`, so each office browser gets its own
//! temporary HOME with the office's certificate and key imported (via PKCS#12, with Debian's
//! `openssl` and `pk12util`). Headless Chromium cannot answer a certificate picker, so the
//! managed policy `AutoSelectCertificateForUrls` that scripts/ensure-browser installs chooses
//! kiban's client certificates for https://127.0.0.1 (and nothing else) without asking.

use anyhow::{ensure, Context, Result};
use std::path::Path;
use std::process::Command;

/// Where scripts/ensure-browser puts the policy (Chromium's managed-policy directory).
pub const POLICY: &str = "/etc/chromium/policies/managed/kiban-browser-tests.json";

/// A temporary HOME whose NSS database holds the client certificate `cert` with key `key`.
pub fn nss_home(cert: &Path, key: &Path) -> Result<tempfile::TempDir> {
    ensure!(
        Path::new(POLICY).exists(),
        "{POLICY} is missing: run scripts/ensure-browser (Chromium would wait for a person to \
         pick the certificate)"
    );
    let home = tempfile::tempdir().context("creating the browser's HOME")?;
    let nssdb = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&nssdb).context("creating .pki/nssdb")?;
    let p12 = home.path().join("office.p12");
    // A throwaway transport password: the file lives only in this temporary directory.
    run(Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-passout",
            "pass:kiban",
            "-name",
            "office",
            "-in",
        ])
        .arg(cert)
        .arg("-inkey")
        .arg(key)
        .arg("-out")
        .arg(&p12))?;
    let db = format!("sql:{}", nssdb.display());
    run(Command::new("certutil").args(["-N", "--empty-password", "-d", &db]))?;
    run(Command::new("pk12util")
        .args(["-W", "kiban", "-d", &db, "-i"])
        .arg(&p12))?;
    std::fs::remove_file(&p12).context("removing the PKCS#12 file")?;
    Ok(home)
}

fn run(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .with_context(|| format!("running {shown} (run scripts/ensure-browser)"))?;
    ensure!(
        output.status.success(),
        "{shown} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

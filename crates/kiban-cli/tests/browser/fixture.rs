//! One browser test's world: `kiban serve` on a fresh SQLite database and data directory
//! (its own free port on 127.0.0.1), a headless Chromium driven through chromedriver, and the
//! test's artifact directory `<target>/browser-artifacts/<test>/` for screenshots and logs.

// A support module: not every test uses every helper.
#![allow(dead_code)]

use crate::webdriver::{Browser, Element};
use anyhow::{anyhow, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Fixture {
    // Dropped first: the browser closes before the server it talks to goes away.
    pub browser: Browser,
    pub server: Server,
    artifacts: PathBuf,
}

impl Fixture {
    /// Starts the server and the browser for the test `name` (its artifact directory is
    /// emptied first, so what is there afterwards is this run's).
    pub fn start(name: &str) -> Result<Self> {
        let artifacts = artifacts_root().join(name);
        if artifacts.exists() {
            std::fs::remove_dir_all(&artifacts)
                .with_context(|| format!("emptying {}", artifacts.display()))?;
        }
        std::fs::create_dir_all(&artifacts)
            .with_context(|| format!("creating {}", artifacts.display()))?;
        let server = Server::start(&artifacts.join("server.log"))?;
        let browser = Browser::start(&artifacts.join("chromedriver.log"))?;
        Ok(Self {
            browser,
            server,
            artifacts,
        })
    }

    /// `https://127.0.0.1:<port><path>`
    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.server.port)
    }

    /// Saves what the browser shows now as `<artifacts>/<step>.png`.
    pub fn screenshot(&self, step: &str) -> Result<PathBuf> {
        let png = self.browser.screenshot();
        self.save(step, png)
    }

    /// Saves what `browser` (another browser of this test) shows now as `<artifacts>/<step>.png`.
    pub fn screenshot_of(&self, browser: &Browser, step: &str) -> Result<PathBuf> {
        self.save(step, browser.screenshot())
    }

    /// A second browser for this test, with `$HOME` at `home` (client certificates, see
    /// `client_cert.rs`); its chromedriver log is `<artifacts>/chromedriver-<name>.log`.
    pub fn another_browser(&self, name: &str, home: &Path) -> Result<Browser> {
        let log = self.artifacts.join(format!("chromedriver-{name}.log"));
        Browser::start_at_home(&log, Some(home))
    }

    /// A file in this test's artifact directory.
    pub fn artifact(&self, name: &str) -> PathBuf {
        self.artifacts.join(name)
    }

    /// Runs `kiban demo --no-serve` into the server's own database and data directory, so the
    /// server trusts the demo card's root and the demo offices' certificates (the server made
    /// both at start; the demo loads them). Returns the demo's logins.
    pub fn seed_demo(&self) -> Result<Demo> {
        let data = self.server.data.path();
        let output = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .arg("--data-dir")
            .arg(data)
            .args(["demo", "--no-serve", "--persons", "50", "--dir"])
            .arg(data.join("demo"))
            .env(
                "KIBAN_DATABASE_URL",
                format!("sqlite://{}", data.join("kiban.db").display()),
            )
            .output()
            .context("running kiban demo")?;
        if !output.status.success() {
            return Err(anyhow!(
                "kiban demo failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let logins = std::fs::read_to_string(data.join("demo").join("logins.txt"))
            .context("reading the demo's logins.txt")?;
        Ok(Demo {
            data: data.to_path_buf(),
            logins,
        })
    }

    /// Saves just `element` as `<artifacts>/<step>.png`.
    pub fn element_screenshot(&self, element: &Element, step: &str) -> Result<PathBuf> {
        self.save(step, element.screenshot())
    }

    fn save(&self, step: &str, png: Result<Vec<u8>>) -> Result<PathBuf> {
        let png = png.with_context(|| format!("screenshot of step {step:?}"))?;
        let path = self.artifacts.join(format!("{step}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Fixture {
    /// Keeps the last state of every test, passed or failed: a failing assertion comes with
    /// the page it saw (`last.png`, `last.html`) next to the server and chromedriver logs.
    fn drop(&mut self) {
        let _ = self.screenshot("last");
        if let Ok(html) = self.browser.page_source() {
            let _ = std::fs::write(self.artifacts.join("last.html"), html);
        }
    }
}

/// What `kiban demo` made: its data directory and the logins it printed.
pub struct Demo {
    pub data: PathBuf,
    logins: String,
}

impl Demo {
    /// The card file of the demo citizen `insured`.
    pub fn card(&self, insured: &str) -> PathBuf {
        self.data.join("cards").join(format!("{insured}.card.json"))
    }

    /// The client certificate and key of `office`.
    pub fn office_certificate(&self, office: &str) -> (PathBuf, PathBuf) {
        let certs = self.data.join("certs");
        (
            certs.join(format!("{office}.pem")),
            certs.join(format!("{office}-key.pem")),
        )
    }

    /// The staff certificate and key of the municipal or operator account `id` (its device
    /// factor, docs/staff-login.md).
    pub fn staff_certificate(&self, id: &str) -> (PathBuf, PathBuf) {
        self.office_certificate(&format!("staff-{id}"))
    }

    /// The TOTP secret of the staff account `id`, from the line `…: ID <id>, TOTP secret <s>, …`.
    pub fn totp_secret(&self, id: &str) -> Result<String> {
        let marker = format!("ID {id}, TOTP secret ");
        self.logins
            .lines()
            .find_map(|line| line.split(&marker).nth(1))
            .and_then(|rest| rest.split(',').next())
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no TOTP secret for {id} in the demo's logins"))
    }
}

/// `<target>/browser-artifacts`, where `<target>` is the directory cargo built `kiban` in
/// (`CARGO_TARGET_DIR`, or the workspace's `target/`): `<target>/<profile>/kiban`.
pub fn artifacts_root() -> PathBuf {
    let kiban = Path::new(env!("CARGO_BIN_EXE_kiban"));
    kiban
        .parent()
        .and_then(Path::parent)
        .expect("kiban is built in <target>/<profile>/")
        .join("browser-artifacts")
}

/// `kiban serve` as a child process, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    /// The data directory (keys, certificates) and the SQLite database in it.
    pub data: tempfile::TempDir,
}

impl Server {
    /// Starts `kiban serve --listen 127.0.0.1:0` (the server picks a free port and prints
    /// it) and waits until it listens. Its output goes to `log`.
    pub fn start(log: &Path) -> Result<Self> {
        let data = tempfile::tempdir().context("creating the server's data directory")?;
        let database = format!("sqlite://{}", data.path().join("kiban.db").display());
        let mut log_file =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("KIBAN_DATABASE_URL", &database)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file.try_clone()?))
            .spawn()
            .context("starting kiban serve")?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        // Reads the whole output, not just up to the address: a closed pipe would make the
        // server's next println! fail.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(log_file, "{line}");
                if let Some(port) = listening_port(&line) {
                    let _ = tx.send(port);
                }
            }
        });
        let mut server = Self {
            child,
            port: 0,
            data,
        };
        server.port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => port,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(anyhow!(
                    "kiban serve exited before listening ({}); see {}",
                    server.child.wait()?,
                    log.display()
                ))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(anyhow!(
                    "kiban serve did not listen within 60 s; see {}",
                    log.display()
                ))
            }
        };
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in `… listening on https://127.0.0.1:PORT/api/v1`.
fn listening_port(line: &str) -> Option<u16> {
    let addr = line.split("listening on https://").nth(1)?;
    let authority = addr.split('/').next()?;
    authority.rsplit(':').next()?.parse().ok()
}

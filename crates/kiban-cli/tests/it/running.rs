//! A running `kiban serve` and a demo municipality, shared by the tests that drive the binary
//! over HTTPS.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `kiban demo --persons 300 --no-serve` into `db_url`, with its keys, certificates, cards and
/// `demo/logins.txt` under `data`; returns what it printed.
pub fn demo(db_url: &str, data: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kiban"))
        .args(["demo", "--persons", "300", "--no-serve", "--dir"])
        .arg(data.join("demo"))
        .arg("--data-dir")
        .arg(data)
        .env("KIBAN_DATABASE_URL", db_url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A port of 127.0.0.1 free a moment ago, for a process the test starts (HAProxy, a
/// PostgreSQL cluster).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `kiban serve` on a free port of 127.0.0.1; killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(db_url: &str, data: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("KIBAN_DATABASE_URL", db_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read stdout to its end on a thread: a closed pipe would fail the server's later lines.
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let port = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("kiban serve printed its address");
            if let Some(rest) = line.split("listening on https://").nth(1) {
                let addr = rest.trim_end_matches("/api/v1");
                break addr.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        Self { child, port }
    }

    /// SIGKILL, as a crash or `kill -9` ends it.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

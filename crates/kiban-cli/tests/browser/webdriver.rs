//! A small W3C WebDriver client: just the commands kiban's browser tests use, over the
//! blocking reqwest client and serde_json the workspace already has (a full WebDriver crate
//! would pull in a second async stack for a dozen HTTP calls).
//!
//! It drives Debian's `chromedriver` (started here as a child process, killed on drop) and
//! `/usr/bin/chromium` headless, with a fresh profile per session. Every error names the
//! step that failed and carries WebDriver's own error code and message.

// A support module: not every test uses every command.
#![allow(dead_code)]

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver with one Chromium session.
pub struct Browser {
    http: reqwest::blocking::Client,
    /// `http://127.0.0.1:<port>/session/<id>`
    session: String,
    driver: Child,
    /// Chromium's profile; removed after the session is closed.
    _profile: tempfile::TempDir,
}

/// An element found on the current page (valid until the page changes).
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
    /// The CSS selector it was found by, for error messages.
    selector: String,
}

impl Browser {
    /// Starts `chromedriver` on a free port (its log goes to `driver_log`) and opens a
    /// headless Chromium session.
    pub fn start(driver_log: &Path) -> Result<Self> {
        Self::start_at_home(driver_log, None)
    }

    /// [`Browser::start`] with `$HOME` set to `home` for chromedriver and Chromium: where
    /// Chromium finds its NSS database of client certificates (see `client_cert.rs`).
    pub fn start_at_home(driver_log: &Path, home: Option<&Path>) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            // Generous: a cold Chromium start on two busy cores can take several seconds.
            .timeout(Duration::from_secs(60))
            .build()
            .context("building the HTTP client for chromedriver")?;
        // The free port is only free when we look: a server started by a parallel test may
        // take it before chromedriver binds it, and then chromedriver exits. Try a few.
        let mut attempts = 0;
        let (mut guard, base) = loop {
            attempts += 1;
            match start_driver(&http, driver_log, home) {
                Ok(started) => break started,
                Err(e) if attempts == 3 => return Err(e),
                Err(_) => continue,
            }
        };

        let profile = tempfile::tempdir().context("creating Chromium's profile directory")?;
        let mut args: Vec<String> = [
            "--headless",
            // Root in a container: Chromium's sandbox needs user namespaces we may not have.
            "--no-sandbox",
            "--disable-gpu",
            // No update checks, sync or component downloads: the tests must not reach out,
            // and the machines cannot.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            // kiban serve's certificate is signed by its own CA, which Chromium doesn't know.
            "--ignore-certificate-errors",
            "--window-size=1280,900",
        ]
        .map(String::from)
        .into();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        // Only kiban on this machine is reachable. Debian's default new-tab page is the search
        // engine's (https://start.duckduckgo.com/); waiting for it to fail stalled a session's
        // first command by 5 s now and then.
        args.push(
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost".into(),
        );
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "acceptInsecureCerts": true,
                "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
            }}
        });
        let created = call(
            &http,
            "POST",
            &format!("{base}/session"),
            Some(capabilities),
        )
        .context("creating a Chromium session")?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("creating a Chromium session: no sessionId in {created}"))?;
        Ok(Self {
            http,
            session: format!("{base}/session/{id}"),
            driver: guard.0.take().expect("the guard holds chromedriver"),
            _profile: profile,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        call(&self.http, method, &format!("{}{path}", self.session), body)
    }

    pub fn navigate(&self, url: &str) -> Result<()> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .with_context(|| format!("navigating to {url}"))?;
        Ok(())
    }

    pub fn current_url(&self) -> Result<String> {
        let v = self
            .cmd("GET", "/url", None)
            .context("reading the current URL")?;
        string(v, "reading the current URL")
    }

    pub fn title(&self) -> Result<String> {
        let v = self
            .cmd("GET", "/title", None)
            .context("reading the page title")?;
        string(v, "reading the page title")
    }

    pub fn page_source(&self) -> Result<String> {
        let v = self
            .cmd("GET", "/source", None)
            .context("reading the page source")?;
        string(v, "reading the page source")
    }

    /// The first element matching a CSS selector; an error when there is none.
    pub fn find(&self, selector: &str) -> Result<Element<'_>> {
        let step = || format!("finding the element {selector:?}");
        let v = self
            .cmd(
                "POST",
                "/element",
                Some(json!({ "using": "css selector", "value": selector })),
            )
            .with_context(step)?;
        let id = v[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| anyhow!("{}: no element reference in {v}", step()))?;
        Ok(Element {
            browser: self,
            id: id.to_string(),
            selector: selector.to_string(),
        })
    }

    /// Polls [`Browser::find`] until the element appears (after a click that loads a page).
    /// Polls the text of `selector` until it contains `wanted`, and returns it. An element that
    /// is absent or stale for a moment (the page is being replaced after a click) is waited for
    /// too: finding the old page's element right after a click says nothing about the new one.
    pub fn wait_for_text(&self, selector: &str, wanted: &str, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let seen = self.find(selector).and_then(|e| e.text());
            match &seen {
                Ok(text) if text.contains(wanted) => return seen,
                _ if start.elapsed() >= timeout => {
                    return match seen {
                        Ok(text) => Err(anyhow!(
                            "{selector} says {text:?}, not {wanted:?}, after {timeout:?}"
                        )),
                        Err(e) => Err(e.context(format!("still no {wanted:?} after {timeout:?}"))),
                    }
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    pub fn wait_for(&self, selector: &str, timeout: Duration) -> Result<Element<'_>> {
        let start = Instant::now();
        loop {
            match self.find(selector) {
                Ok(e) => return Ok(e),
                Err(e) if start.elapsed() >= timeout => {
                    return Err(e.context(format!("still absent after {timeout:?}")))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .with_context(|| format!("executing the script {script:?}"))
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver's `goog/cdp/execute`
    /// extension: for what WebDriver cannot tell, such as which font rendered a node.
    pub fn cdp(&self, command: &str, params: Value) -> Result<Value> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": command, "params": params })),
        )
        .with_context(|| format!("running the DevTools command {command}"))
    }

    /// The fonts that rendered the text of the first element matching `selector`, as
    /// (family, glyphs drawn with it): what the user saw, not what the CSS asked for.
    pub fn rendered_fonts(&self, selector: &str) -> Result<Vec<(String, u64)>> {
        let step = || format!("finding the fonts that rendered {selector:?}");
        // DevTools node ids are per document: fetch the document anew each time.
        self.cdp("DOM.enable", json!({})).with_context(step)?;
        self.cdp("CSS.enable", json!({})).with_context(step)?;
        let document = self.cdp("DOM.getDocument", json!({})).with_context(step)?;
        let node = self
            .cdp(
                "DOM.querySelector",
                json!({ "nodeId": document["root"]["nodeId"], "selector": selector }),
            )
            .with_context(step)?;
        if node["nodeId"] == json!(0) {
            bail!("{}: no such element", step());
        }
        let fonts = self
            .cdp(
                "CSS.getPlatformFontsForNode",
                json!({ "nodeId": node["nodeId"] }),
            )
            .with_context(step)?;
        let fonts = fonts["fonts"]
            .as_array()
            .ok_or_else(|| anyhow!("{}: no font list in {fonts}", step()))?;
        Ok(fonts
            .iter()
            .map(|f| {
                let family = f["familyName"].as_str().unwrap_or_default().to_string();
                (family, f["glyphCount"].as_u64().unwrap_or(0))
            })
            .collect())
    }

    /// Resizes the browser window. Headless Chromium gives the viewport the window's whole
    /// width (what a responsive layout reacts to) and about 140 px less height.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .with_context(|| format!("resizing the window to {width}×{height}"))?;
        Ok(())
    }

    /// The visible viewport as PNG bytes.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let v = self
            .cmd("GET", "/screenshot", None)
            .context("taking a screenshot")?;
        decode_png(string(v, "taking a screenshot")?, "taking a screenshot")
    }
}

impl Element<'_> {
    fn cmd(&self, method: &str, command: &str, body: Option<Value>) -> Result<Value> {
        let path = format!("/element/{}{command}", self.id);
        self.browser.cmd(method, &path, body)
    }

    pub fn click(&self) -> Result<()> {
        self.cmd("POST", "/click", Some(json!({})))
            .with_context(|| format!("clicking {:?}", self.selector))?;
        Ok(())
    }

    /// Types `text` into the element (an input, a textarea).
    pub fn send_keys(&self, text: &str) -> Result<()> {
        self.cmd("POST", "/value", Some(json!({ "text": text })))
            .with_context(|| format!("typing into {:?}", self.selector))?;
        Ok(())
    }

    /// Just this element, as PNG bytes.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let step = format!("taking a screenshot of {:?}", self.selector);
        let v = self.cmd("GET", "/screenshot", None).context(step.clone())?;
        decode_png(string(v, &step)?, &step)
    }

    /// Whether a checkbox or radio button is checked.
    pub fn is_selected(&self) -> Result<bool> {
        let step = format!("reading whether {:?} is selected", self.selector);
        let v = self.cmd("GET", "/selected", None).context(step.clone())?;
        v.as_bool()
            .ok_or_else(|| anyhow!("{step}: not a boolean: {v}"))
    }

    /// The rendered (visible) text.
    pub fn text(&self) -> Result<String> {
        let step = format!("reading the text of {:?}", self.selector);
        let v = self.cmd("GET", "/text", None).context(step.clone())?;
        string(v, &step)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing the session ends Chromium cleanly; killing only chromedriver could leave
        // the browser running.
        let _ = call(&self.http, "DELETE", &self.session, None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One WebDriver command. The answer is always `{"value": …}`; an error is a non-2xx status
/// with `value.error` (a code such as `no such element`) and `value.message`.
fn call(
    http: &reqwest::blocking::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value> {
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json; charset=utf-8")
            .body(body.to_string());
    }
    let response = request
        .send()
        .context("sending the command to chromedriver")?;
    let status = response.status();
    let text = response.text().context("reading chromedriver's answer")?;
    let mut answer: Value = serde_json::from_str(&text)
        .with_context(|| format!("chromedriver answered {status} with non-JSON: {text}"))?;
    let value = answer["value"].take();
    if !status.is_success() {
        bail!(
            "chromedriver: {status} {}: {}",
            value["error"].as_str().unwrap_or("?"),
            value["message"].as_str().unwrap_or(&text)
        );
    }
    Ok(value)
}

fn string(v: Value, step: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s),
        other => bail!("{step}: expected a string, got {other}"),
    }
}

/// WebDriver sends screenshots as base64-encoded PNG.
fn decode_png(encoded: String, step: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .with_context(|| format!("{step}: decoding the base64 PNG"))
}

/// A port nobody listens on right now (bound and released; chromedriver takes it next).
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts chromedriver on a free port and waits until it is ready; the guard kills it on
/// any later failure until the session exists.
fn start_driver(
    http: &reqwest::blocking::Client,
    driver_log: &Path,
    home: Option<&Path>,
) -> Result<(KillOnDrop, String)> {
    let port = free_port().context("finding a free port for chromedriver")?;
    let log = std::fs::File::create(driver_log)
        .with_context(|| format!("creating {}", driver_log.display()))?;
    let mut driver = Command::new("chromedriver");
    if let Some(home) = home {
        driver.env("HOME", home);
    }
    let driver = driver
        .arg(format!("--port={port}"))
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .context("starting chromedriver (is it installed? run scripts/ensure-browser)")?;
    let mut guard = KillOnDrop(Some(driver));
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(http, &base, &mut guard)
        .with_context(|| format!("waiting for chromedriver on port {port} to be ready"))?;
    Ok((guard, base))
}

fn wait_until_ready(
    http: &reqwest::blocking::Client,
    base: &str,
    driver: &mut KillOnDrop,
) -> Result<()> {
    let start = Instant::now();
    let mut last = anyhow!("no answer yet");
    while start.elapsed() < Duration::from_secs(20) {
        if let Some(child) = &mut driver.0 {
            if let Some(status) = child.try_wait()? {
                bail!("chromedriver exited ({status}); see its log");
            }
        }
        match call(http, "GET", &format!("{base}/status"), None) {
            Ok(status) if status["ready"] == json!(true) => return Ok(()),
            Ok(status) => last = anyhow!("not ready: {status}"),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(last.context("chromedriver did not become ready within 20 s"))
}

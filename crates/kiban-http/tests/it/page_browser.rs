//! A browser without JavaScript for page tests: plain HTTP with the office's client
//! certificate, cookies kept by hand and redirects not followed, so each test sees exactly what
//! every response sets.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::support::Fixture;

/// A browser without JavaScript: follows no redirects by itself and keeps cookies by hand, so
/// each test sees exactly which cookie a response sets.
pub struct Browser {
    pub client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub base: String,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The form token of the page's first form.
    pub fn csrf(&self) -> String {
        let start = self.body.find(r#"name="csrf" value=""#).expect("a form") + 19;
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].to_string()
    }
}

impl Browser {
    pub fn new(fx: &Fixture, office: Option<&str>) -> Self {
        Self::presenting(fx, office.map(|office| fx.cert(office)).as_ref())
    }

    /// A municipal or operator terminal: the browser presents the staff certificate of
    /// `staff_id`.
    pub fn staff(fx: &Fixture, staff_id: &str) -> Self {
        Self::presenting(fx, Some(&fx.staff_cert(staff_id)))
    }

    /// A browser presenting `cert`, if any.
    pub fn presenting(fx: &Fixture, cert: Option<&kiban_crypto::IssuedCert>) -> Self {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(fx.ca.cert_pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", fx.addr)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10));
        if let Some(cert) = cert {
            let pem = format!("{}{}", cert.cert_pem, cert.key_pem.as_str());
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
        }
        Self {
            client: builder.build().unwrap(),
            cookies: BTreeMap::new(),
            base: fx.url(""),
        }
    }

    pub fn cookie_header(&self) -> String {
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("; ")
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let response = request
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("the page is answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        let answer = Answer {
            status,
            headers,
            body,
        };
        for cookie in answer.set_cookies() {
            let (pair, attributes) = cookie.split_once(';').unwrap_or((&cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        answer
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// Opens the login page and submits it.
    pub async fn login(&mut self, staff_id: &str, password: &str, totp: &str) -> Answer {
        let page = self.get("/office/login").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = page.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("staff_id", staff_id),
            ("password", password),
            ("totp", totp),
        ];
        self.post("/office/login", &form).await
    }
}

/// Logs person `n` into the citizen portal with a fresh card, pasting the reader app's answer
/// (no JavaScript), and returns the logged-in browser.
pub async fn citizen_login(fx: &mut Fixture, n: u64) -> Browser {
    let card = fx.card_for(n);
    let mut browser = Browser::new(fx, None);
    let page = browser.get("/me/login").await;
    let field = |marker: &str| {
        let start = page.body.find(marker).unwrap() + marker.len();
        let end = start + page.body[start..].find(['"', '<']).unwrap();
        page.body[start..end].trim().to_string()
    };
    let challenge_id = field(r#"name="challenge_id" value=""#);
    let message = hex::decode(field("--message ")).unwrap();
    let signed = card
        .card
        .sign_challenge(&crate::support::pin(), &message)
        .unwrap();
    let response = serde_json::to_string(&signed).unwrap();
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("challenge_id", challenge_id.as_str()),
        ("response", response.as_str()),
    ];
    let done = browser.post("/me/login", &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    browser
}

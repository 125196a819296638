//! `kiban serve` killed with SIGKILL under a bounded load of 資格確認 reads, consent changes
//! (enrolment with a witnessed paper consent, then the office ending its 担当) and
//! 要介護認定 applications, then restarted: `kiban audit verify` passes, every read answered
//! 200 before the kill has its audit event, and every acknowledged consent, serving end and
//! application is stored.

use kiban_testkit::TestDb;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::{next, seed};
use crate::running::{demo, Server};

const PASSWORD: &str = "kiban-demo-2026";
pub(crate) const OFFICE_CERT: &str = "certs/1370000001";
/// Persons 0000100001 … of the demo's 300; the load enrols from `ENROL_FROM` on, where the
/// demo itself registered nobody.
const PERSONS: u32 = 300;
const ENROL_FROM: u32 = 100;

/// What the demo printed for one login: its TOTP secret.
fn totp_secret(data: &Path, id: &str) -> kiban_crypto::TotpSecret {
    let logins = std::fs::read_to_string(data.join("demo/logins.txt")).unwrap();
    let line = logins
        .lines()
        .find(|l| l.contains(&format!("ID {id},")))
        .unwrap_or_else(|| panic!("{id} in {logins}"));
    let secret = line
        .split("TOTP secret ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    kiban_crypto::TotpSecret::from_base32(secret.trim()).unwrap()
}

#[derive(Clone)]
pub(crate) struct Api {
    client: reqwest::blocking::Client,
    base: String,
    token: String,
}

impl Api {
    /// Logs `id` in with the office certificate, when given. `ahead` moves the TOTP code one
    /// step on: a restarted server has seen this step already (replay is refused).
    pub(crate) fn login(data: &Path, port: u16, id: &str, cert: Option<&str>, ahead: u64) -> Self {
        let ca = std::fs::read(data.join("keys/ca/ca.pem")).unwrap();
        let mut builder = reqwest::blocking::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .timeout(Duration::from_secs(30));
        if let Some(cert) = cert {
            let mut pem = std::fs::read(data.join(format!("{cert}.pem"))).unwrap();
            pem.extend(std::fs::read(data.join(format!("{cert}-key.pem"))).unwrap());
            builder = builder.identity(reqwest::Identity::from_pem(&pem).unwrap());
        }
        let client = builder.build().unwrap();
        let base = format!("https://localhost:{port}/api/v1");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let totp = kiban_crypto::totp::generate(&totp_secret(data, id), now + 30 * ahead);
        let answer: Value = client
            .post(format!("{base}/staff/login"))
            .json(&json!({ "staff_id": id, "password": PASSWORD, "totp": totp }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let token = answer["data"]["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {id}: {answer}"))
            .to_string();
        Self {
            client,
            base,
            token,
        }
    }

    /// The answer when the server answered 200, `None` when the connection failed (killed).
    fn send(&self, request: reqwest::blocking::RequestBuilder) -> Option<Value> {
        let response = request.bearer_auth(&self.token).send().ok()?;
        if response.status() != 200 {
            panic!("{} answered {}", response.url(), response.status());
        }
        response.json().ok()
    }

    /// Status, or `None` when the request did not get an answer (a connection broken by a kill).
    pub(crate) fn status(&self, path: &str) -> Option<u16> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .ok()?;
        let status = response.status().as_u16();
        response.bytes().ok()?;
        Some(status)
    }

    /// Status and answer of a POST, or `None` when the request got no answer.
    pub(crate) fn post_any(&self, path: &str, body: Value) -> Option<(u16, Value)> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().unwrap_or(Value::Null)))
    }

    /// Status and answer, whatever the status.
    pub(super) fn get_any(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    pub(super) fn get(&self, path: &str) -> Option<Value> {
        self.send(self.client.get(format!("{}{path}", self.base)))
    }

    fn post(&self, path: &str, body: Value) -> Option<Value> {
        self.send(self.client.post(format!("{}{path}", self.base)).json(&body))
    }

    /// Municipal staff state the purpose of every request.
    fn post_as_certification_affairs(&self, path: &str, body: Value) -> Option<Value> {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("x-kiban-purpose", "certification_affairs")
                .json(&body),
        )
    }
}

pub(crate) fn insured(n: u32) -> String {
    format!("{:010}", 100_000 + n)
}

/// What the load saw acknowledged before the kill.
#[derive(Default, Debug)]
struct Acknowledged {
    reads: u64,
    enrolments: u64,
    consent_ids: Vec<i64>,
    ended: Vec<String>,
    applications: Vec<i64>,
    /// One entry per acknowledged step after the filing, by application id.
    steps: Vec<i64>,
}

fn load(
    api: Api,
    stop: Arc<AtomicBool>,
    work: fn(&Api, u32, &mut Acknowledged) -> bool,
) -> JoinHandle<Acknowledged> {
    std::thread::spawn(move || {
        let mut seen = Acknowledged::default();
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) && work(&api, i, &mut seen) {
            i += 1;
        }
        seen
    })
}

fn read(api: &Api, i: u32, seen: &mut Acknowledged) -> bool {
    let person = insured(1 + i % PERSONS);
    match api.get(&format!("/persons/131011/{person}/qualification")) {
        Some(_) => {
            seen.reads += 1;
            true
        }
        None => false,
    }
}

fn consent(api: &Api, i: u32, seen: &mut Acknowledged) -> bool {
    // Round and round: a person whose 担当 ended can be enrolled again.
    let person = insured(ENROL_FROM + i % (PERSONS - ENROL_FROM + 1));
    let body = json!({ "identity": { "method": "paper", "reason": "no_card" } });
    let Some(answer) = api.post(&format!("/persons/131011/{person}/enrolment"), body) else {
        return false;
    };
    if answer["ok"] == true {
        seen.enrolments += 1;
        let ids = answer["data"]["consent_ids"].as_array().unwrap();
        seen.consent_ids
            .extend(ids.iter().map(|v| v.as_i64().unwrap()));
        match api.post(&format!("/persons/131011/{person}/serving/end"), json!({})) {
            Some(a) if a["ok"] == true => seen.ended.push(person),
            Some(_) => {}
            None => return false,
        }
    }
    true
}

/// 申請受付, 調査依頼 and 取下げ, round and round over the persons.
fn apply(api: &Api, i: u32, seen: &mut Acknowledged) -> bool {
    let today = kiban_crypto::time::OffsetDateTime::now_utc().date();
    let body = json!({
        "insurer": "131011",
        "insured": insured(1 + i % PERSONS),
        "kind": "new",
        "applicant": "person",
        "applied_on": format!("{:04}{:02}{:02}", today.year(), u8::from(today.month()), today.day()),
    });
    let Some(answer) = api.post_as_certification_affairs("/certification/applications", body)
    else {
        return false;
    };
    if answer["ok"] != true {
        return true;
    }
    let id = answer["data"]["id"].as_i64().unwrap();
    seen.applications.push(id);
    for step in ["request_survey", "withdraw"] {
        let path = format!("/certification/applications/{id}/steps");
        match api.post_as_certification_affairs(&path, json!({ "step": step })) {
            Some(a) if a["ok"] == true => seen.steps.push(id),
            Some(a) => panic!("{step} of {id} refused: {a}"),
            None => return false,
        }
    }
    true
}

fn killed_server_loses_nothing_it_acknowledged(db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    demo(&db.url, data.path());
    let reads_before = db.scalar("SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'");

    let server = Server::start(&db.url, data.path());
    let stop = Arc::new(AtomicBool::new(false));
    // One login per account: a TOTP code works once.
    let office = Api::login(data.path(), server.port, "cm01", Some(OFFICE_CERT), 0);
    let mut loads = vec![
        load(office.clone(), stop.clone(), read),
        load(office.clone(), stop.clone(), read),
        load(office, stop.clone(), consent),
    ];
    loads.push(load(
        Api::login(
            data.path(),
            server.port,
            "city01",
            Some("certs/staff-city01"),
            0,
        ),
        stop.clone(),
        apply,
    ));
    let mut rng = seed();
    let at = Duration::from_millis(1_500 + next(&mut rng) % 2_000);
    eprintln!("crash harness: kill of kiban serve after {at:?}");
    std::thread::sleep(at);
    server.kill();
    stop.store(true, Ordering::Relaxed);
    let seen: Vec<Acknowledged> = loads.into_iter().map(|t| t.join().unwrap()).collect();
    let reads: u64 = seen.iter().map(|s| s.reads).sum();
    let enrolments: u64 = seen.iter().map(|s| s.enrolments).sum();
    let consent_ids: Vec<i64> = seen.iter().flat_map(|s| s.consent_ids.clone()).collect();
    let ended: Vec<String> = seen.iter().flat_map(|s| s.ended.clone()).collect();
    let applications: Vec<i64> = seen.iter().flat_map(|s| s.applications.clone()).collect();
    assert!(
        reads > 0 && !consent_ids.is_empty() && !applications.is_empty(),
        "the load did nothing before the kill: {seen:?}"
    );

    // The chain verifies after the kill, before and after a restart.
    crate::audit_intact(&db.url, data.path());
    let server = Server::start(&db.url, data.path());
    let api = Api::login(data.path(), server.port, "cm01", Some(OFFICE_CERT), 1);
    assert!(api
        .get(&format!("/persons/131011/{}/qualification", insured(1)))
        .is_some());
    server.kill();
    crate::audit_intact(&db.url, data.path());

    // Every read answered 200 (allowed or refused, both are audited) has its event: the
    // office's events cover at least the answered reads, enrolments and serving ends.
    let audited =
        db.scalar("SELECT count(*) FROM audit_events WHERE actor_id = 'cm01'") - reads_before;
    let answered = reads + enrolments + ended.len() as u64 + 1;
    eprintln!(
        "crash harness: before the kill {reads} reads, {enrolments} enrolments ({} consents), \
         {} serving ends, {} applications acknowledged; {audited} office events audited",
        consent_ids.len(),
        ended.len(),
        applications.len()
    );
    assert!(
        audited as u64 >= answered,
        "{audited} events for {answered} answered requests"
    );
    let list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM consents WHERE id IN ({})",
            list(&consent_ids)
        )),
        consent_ids.len() as i64,
        "an acknowledged consent is missing"
    );
    let mut ends_by_person = std::collections::BTreeMap::<&str, i64>::new();
    for person in &ended {
        *ends_by_person.entry(person).or_default() += 1;
    }
    for (person, acknowledged) in ends_by_person {
        let stored = db.scalar(&format!(
            "SELECT count(*) FROM serving_relationships WHERE office_number = '1370000001' \
             AND insured = '{person}' AND ended_by = 'office'"
        ));
        assert!(
            stored >= acknowledged,
            "{acknowledged} serving ends of {person} acknowledged, {stored} stored"
        );
    }
    let steps: Vec<i64> = seen.iter().flat_map(|s| s.steps.clone()).collect();
    // A step may be committed and its answer lost in the kill, never the other way round.
    let stored_steps = db.scalar(&format!(
        "SELECT count(*) FROM certification_events WHERE application_id IN ({}) \
         AND event IN ('request_survey', 'withdraw')",
        list(&applications)
    ));
    assert!(
        stored_steps >= steps.len() as i64,
        "{} steps acknowledged, {stored_steps} stored",
        steps.len()
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM certification_applications WHERE id IN ({})",
            list(&applications)
        )),
        applications.len() as i64,
        "an acknowledged application is missing"
    );
}

#[test]
fn serve_killed_under_load_loses_nothing_it_acknowledged_on_sqlite() {
    killed_server_loses_nothing_it_acknowledged(TestDb::sqlite());
}

#[test]
fn serve_killed_under_load_loses_nothing_it_acknowledged_on_postgres() {
    killed_server_loses_nothing_it_acknowledged(TestDb::postgres());
}

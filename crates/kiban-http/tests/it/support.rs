//! The fixture: a seeded database (a small synthetic municipality, two offices, staff with
//! known passwords and TOTP secrets), kiban's CA and a card root made in the test, and the
//! server running on an ephemeral port until the fixture is dropped.

use std::net::SocketAddr;

use kiban_app::import::{import_file, ImportOptions};
use kiban_crypto::time::{Duration, OffsetDateTime};
use kiban_crypto::{
    Argon2Params, CardAuthority, CertificateAuthority, ClientSubject, IssuedCard, IssuedCert, Pin,
    TotpSecret, Validity,
};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_http::{Server, ServerConfig, Shared, StoreSource};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};
use kiban_testkit::store::{CardLinkRow, OfficeRow, StaffRow};
use kiban_testkit::TestDb;
use serde_json::Value;

pub const OFFICE: &str = "1370000001";
pub const OTHER_OFFICE: &str = "1370000002";
pub const INSURER: &str = "131011";
pub const PASSWORD: &str = "correct horse battery staple";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn now_ms() -> i64 {
    (now().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn office_subject(number: &str) -> ClientSubject {
    ClientSubject::Office {
        office_number: OfficeNumber::parse(number).unwrap(),
    }
}

/// The 被保険者番号 of synthetic person `n`.
pub fn insured(n: u64) -> String {
    InsuredNumber::from_u64(100_000 + n).unwrap().to_string()
}

pub fn pin() -> Pin {
    Pin::parse("1234").unwrap()
}

pub struct Fixture {
    db: Option<TestDb>,
    pub ca: CertificateAuthority,
    pub cards: CardAuthority,
    /// The physician root (HPKI stand-in) the server trusts for 主治医意見書.
    pub physicians: kiban_crypto::PhysicianAuthority,
    pub state: Shared,
    pub addr: SocketAddr,
    /// The data directory's CRL file (`keys/ca/crl.pem`) the server watches.
    pub crl_path: std::path::PathBuf,
    _data: tempfile::TempDir,
    totp: TotpSecret,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Fixture {
    pub async fn sqlite() -> Self {
        Self::start(TestDb::sqlite()).await
    }

    /// The synchronous PostgreSQL client must not run on an async worker: every use of the
    /// test's own store goes through `block_in_place`.
    pub async fn postgres() -> Self {
        Self::start(blocking(TestDb::postgres)).await
    }

    /// The test's own connection to the server's database, for seeding and for inspection.
    pub fn db<T>(&mut self, work: impl FnOnce(&mut dyn kiban_testkit::store::Store) -> T) -> T {
        let db = self
            .db
            .as_mut()
            .expect("the database lives as long as the fixture");
        blocking(|| work(db.store()))
    }

    /// The test's own connection for the use cases (the same database, as [`Fixture::db`]).
    pub fn conn<T>(&mut self, work: impl FnOnce(&mut kiban_app::Connection) -> T) -> T {
        let db = self
            .db
            .as_mut()
            .expect("the database lives as long as the fixture");
        blocking(|| work(db.conn()))
    }

    pub async fn start(mut db: TestDb) -> Self {
        blocking(|| seed(&mut db));
        let ca = CertificateAuthority::init("test client CA", now()).unwrap();
        let cards = CardAuthority::init_development("test card root", now())
            .unwrap()
            .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS);
        let physicians = kiban_crypto::PhysicianAuthority::init_development(now())
            .unwrap()
            .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS);
        let data = tempfile::tempdir().unwrap();
        let crl_path = kiban_app::keys::crl_path(data.path());
        std::fs::create_dir_all(crl_path.parent().unwrap()).unwrap();
        let running = serve(&db.url, &ca, &cards, &physicians, &crl_path, |_| {}).await;
        Self {
            db: Some(db),
            ca,
            cards,
            physicians,
            state: running.state,
            addr: running.addr,
            crl_path,
            _data: data,
            totp: TotpSecret::random(),
            shutdown: Some(running.shutdown),
        }
    }

    /// Runs SQL on a raw connection to the database, bypassing kiban (an operator's SQL).
    /// The database URL the servers use.
    pub fn database_url(&self) -> String {
        self.db.as_ref().expect("a database").url.clone()
    }

    pub fn sql(&self, sql: &str) {
        let url = self.db.as_ref().expect("a database").url.clone();
        // A new PostgreSQL client starts a runtime of its own: not on the test's runtime thread.
        std::thread::scope(|s| {
            s.spawn(|| kiban_testkit::raw_sql(&url, sql))
                .join()
                .unwrap()
        });
    }

    /// Another server on the same database, with a data directory (CRL file) of its own, as
    /// several servers behind a load balancer share one PostgreSQL database. It trusts the
    /// same CA and stops when the returned value is dropped.
    pub async fn second_server(&self) -> SecondServer {
        let url = self.db.as_ref().unwrap().url.clone();
        self.second_server_at(&url).await
    }

    /// [`Fixture::second_server`] on a database URL of the test's choosing (the same data,
    /// other connection settings).
    pub async fn second_server_at(&self, url: &str) -> SecondServer {
        self.second_server_with(url, |_| {}).await
    }

    /// [`Fixture::second_server_at`] with its configuration changed by `configure`.
    pub async fn second_server_with(
        &self,
        url: &str,
        configure: impl FnOnce(&mut ServerConfig),
    ) -> SecondServer {
        let data = tempfile::tempdir().unwrap();
        let crl_path = kiban_app::keys::crl_path(data.path());
        std::fs::create_dir_all(crl_path.parent().unwrap()).unwrap();
        let running = serve(
            url,
            &self.ca,
            &self.cards,
            &self.physicians,
            &crl_path,
            configure,
        )
        .await;
        SecondServer {
            addr: running.addr,
            _data: data,
            _shutdown: running.shutdown,
        }
    }

    /// [`Fixture::client`] for the server at `addr` (e.g. a [`SecondServer`]).
    pub fn client_of(&self, addr: SocketAddr, identity: Option<&IssuedCert>) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca.cert_pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", addr)
            .timeout(std::time::Duration::from_secs(10));
        if let Some(cert) = identity {
            let pem = format!("{}{}", cert.cert_pem, cert.key_pem.as_str());
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
        }
        builder.build().unwrap()
    }

    /// A staff account of `office` (care manager) with [`PASSWORD`] and the fixture's TOTP
    /// secret. Each login consumes a TOTP step, so tests log in once per account.
    pub fn add_staff(&mut self, staff_id: &str, kind: &str, office: &str) {
        let hash =
            kiban_crypto::hash_password(PASSWORD, &Argon2Params::INSECURE_FAST_FOR_TESTS).unwrap();
        let secret = self.totp.to_base32().to_string();
        self.db(|store| {
            store
                .insert_staff(&StaffRow {
                    staff_id: staff_id.into(),
                    workplace: kiban_domain::access::Workplace::parse(
                        kiban_domain::access::StaffKind::from_code(kind).unwrap(),
                        office,
                    )
                    .unwrap(),
                    // Medical staff log in as the 主治医; everyone else as a care manager.
                    job: if kind == "medical_staff" {
                        kiban_domain::access::Job::Physician
                    } else {
                        kiban_domain::access::Job::CareManager
                    },
                    display_name: staff_id.into(),
                    password_hash: hash,
                    totp_secret: secret,
                    totp_last_step: 0,
                    failed_attempts: 0,
                    locked_until_ms: 0,
                    last_failure_ms: 0,
                    active: true,
                })
                .unwrap()
        });
    }

    pub fn totp_code(&self) -> String {
        kiban_crypto::totp::generate(&self.totp, now().unix_timestamp() as u64)
    }

    /// The code of the next 30-second step, which the server also accepts (one step of clock
    /// skew): a second login of the same account without waiting for a new code.
    pub fn next_totp_code(&self) -> String {
        kiban_crypto::totp::generate(&self.totp, now().unix_timestamp() as u64 + 30)
    }

    /// The staff certificate of the municipal or operator account `staff_id`: the device factor
    /// its logins and tokens need.
    pub fn staff_cert(&self, staff_id: &str) -> IssuedCert {
        let subject = ClientSubject::Staff {
            staff_id: kiban_crypto::StaffId::parse(staff_id).unwrap(),
        };
        self.ca
            .issue_client(&subject, Validity::days_from(now(), 30))
            .unwrap()
    }

    /// A client presenting the staff certificate of `staff_id` (a municipal or operator
    /// terminal).
    pub fn staff_client(&self, staff_id: &str) -> reqwest::Client {
        self.client(Some(&self.staff_cert(staff_id)))
    }

    pub fn cert(&self, office: &str) -> IssuedCert {
        self.ca
            .issue_client(&office_subject(office), Validity::days_from(now(), 30))
            .unwrap()
    }

    /// The client certificate of the medical institution `code`.
    pub fn hospital_cert(&self, code: &str) -> IssuedCert {
        let subject = kiban_crypto::ClientSubject::Hospital {
            institution_code: kiban_domain::ids::MedicalInstitutionCode::parse(code).unwrap(),
        };
        self.ca
            .issue_client(&subject, Validity::days_from(now(), 30))
            .unwrap()
    }

    /// A client over TLS 1.3 trusting the fixture's CA, presenting `identity` if given.
    pub fn client(&self, identity: Option<&IssuedCert>) -> reqwest::Client {
        self.client_with(identity, Some(std::time::Duration::from_secs(10)))
    }

    /// [`Fixture::client`] with its own request timeout (`None` for an event stream).
    pub fn client_with(
        &self,
        identity: Option<&IssuedCert>,
        timeout: Option<std::time::Duration>,
    ) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca.cert_pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", self.addr);
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(cert) = identity {
            let pem = format!("{}{}", cert.cert_pem, cert.key_pem.as_str());
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
        }
        builder.build().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    /// Logs `staff_id` in over a client presenting `cert`; returns the access token.
    pub async fn login(&self, client: &reqwest::Client, staff_id: &str) -> String {
        let (status, body) = self
            .post(
                client,
                "/api/v1/staff/login",
                None,
                &self.login_body(staff_id),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_string()
    }

    pub fn login_body(&self, staff_id: &str) -> Value {
        serde_json::json!({ "staff_id": staff_id, "password": PASSWORD, "totp": self.totp_code() })
    }

    pub async fn post(
        &self,
        client: &reqwest::Client,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let mut request = client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("request is answered")).await
    }

    pub async fn get(
        &self,
        client: &reqwest::Client,
        path: &str,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut request = client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("request is answered")).await
    }

    /// A card for synthetic person `n`, linked to them by the municipality.
    pub fn card_for(&mut self, n: u64) -> IssuedCard {
        let issued = self
            .cards
            .issue_card(
                InsuredNumber::parse(&insured(n)).unwrap(),
                &pin(),
                Validity::days_from(now(), 365),
            )
            .unwrap();
        let link = CardLinkRow {
            fingerprint: issued.link.fingerprint.to_string(),
            insurer: InsurerNumber::parse(INSURER).unwrap(),
            insured: InsuredNumber::parse(&insured(n)).unwrap(),
            linked_at_ms: 0,
            linked_by: "test".into(),
            unlinked_at_ms: None,
        };
        self.db(|store| store.link_card(&link).unwrap());
        issued
    }

    /// Asks for a challenge and has `card` sign it: (challenge id, signature JSON).
    pub async fn card_sign(&self, client: &reqwest::Client, card: &IssuedCard) -> (String, Value) {
        let (status, body) = self
            .post(client, "/api/v1/card/challenge", None, &Value::Null)
            .await;
        assert_eq!(status, 200, "{body}");
        let message = hex::decode(body["data"]["message_hex"].as_str().unwrap()).unwrap();
        let signature = card.card.sign_challenge(&pin(), &message).unwrap();
        (
            body["data"]["id"].as_str().unwrap().to_string(),
            serde_json::to_value(&signature).unwrap(),
        )
    }

    /// A citizen access token for `card`.
    /// The office (`client`, `token`) enrols person `n` with the person's card: a challenge
    /// signed by the card, the enrolment and its five consents. Fails unless it is enrolled.
    pub async fn enrol_with_card(
        &self,
        client: &reqwest::Client,
        token: &str,
        card: &IssuedCard,
        n: u64,
    ) {
        let (challenge_id, signature) = self.card_sign(client, card).await;
        let request = serde_json::json!({ "identity": { "method": "card", "challenge_id": challenge_id, "signature": signature } });
        let path = format!("/api/v1/persons/{INSURER}/{}/enrolment", insured(n));
        let (_, body) = self.post(client, &path, Some(token), &request).await;
        assert_eq!(body["ok"], true, "{body}");
    }

    pub async fn citizen_login(&self, card: &IssuedCard) -> String {
        let client = self.client(None);
        let (id, signature) = self.card_sign(&client, card).await;
        let body = serde_json::json!({ "challenge_id": id, "signature": signature });
        let (status, body) = self.post(&client, "/api/v1/card/login", None, &body).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_string()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(db) = self.db.take() {
            blocking(move || drop(db));
        }
    }
}

/// A server started by [`Fixture::second_server`]; stops when dropped.
pub struct SecondServer {
    pub addr: SocketAddr,
    _data: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl SecondServer {
    /// `https://localhost:PORT`, to put a path after.
    pub fn base(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

struct Running {
    state: Shared,
    addr: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Serves `database` on an ephemeral port, watching `crl_path`, until `shutdown` is sent or
/// dropped.
async fn serve(
    database: &str,
    ca: &CertificateAuthority,
    cards: &CardAuthority,
    physicians: &kiban_crypto::PhysicianAuthority,
    crl_path: &std::path::Path,
    configure: impl FnOnce(&mut ServerConfig),
) -> Running {
    let server_cert = ca
        .issue_server(&["localhost"], Validity::days_from(now(), 1))
        .unwrap();
    let mut config = ServerConfig::new(
        StoreSource::Url(database.to_string()),
        server_cert.cert_pem.clone(),
        server_cert.key_pem.to_string(),
        ca.anchor().clone(),
        cards.trust_root().clone(),
    )
    .with_physician_root(
        physicians.trust_root().clone(),
        kiban_crypto::RevocationList::new(),
    );
    config.client_crl_path = Some(crl_path.to_path_buf());
    // The benches size the pool (`KIBAN_BENCH_STORE_CONNECTIONS`); tests keep the default.
    if let Some(n) = std::env::var("KIBAN_BENCH_STORE_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        config.connections = n;
    }
    configure(&mut config);
    let server = Server::new(config).await.unwrap();
    let state = server.state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(listener, async {
        let _ = rx.await;
    }));
    Running {
        state,
        addr,
        shutdown: tx,
    }
}

pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("a JSON body");
    (status, body)
}

/// The error code of a refusal (business or system).
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(none)")
}

pub fn blocking<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

/// A small municipality and two 居宅介護支援事業所.
fn seed(db: &mut TestDb) {
    seed_registry(db);
    for (number, name) in [
        (OFFICE, "さくら居宅介護支援事業所"),
        (OTHER_OFFICE, "もみじ居宅介護支援事業所"),
    ] {
        db.store()
            .put_office(&office_row(number, name, "home_care_support", &["43"]))
            .unwrap();
    }
}

pub fn seed_registry(db: &mut TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        persons: 10,
        seed: 3,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090000".into(),
        as_of: kiban_domain::Date::parse_yyyymmdd("20261101").unwrap(),
    };
    for (file, _) in generate(dir.path(), &options, &mut |_| {}).unwrap().files {
        import_file(db.conn(), &file, &ImportOptions::default(), &mut |_| {}).unwrap();
    }
}

/// A validity period that ended yesterday.
pub fn expired() -> Validity {
    Validity {
        not_before: now() - Duration::days(30),
        not_after: now() - Duration::days(1),
    }
}

/// An active office of kind `kind` (a code such as `home_care_support`, or
/// `medical_institution` with a 医療機関コード) designated for `service_kinds`.
pub fn office_row(number: &str, name: &str, kind: &str, service_kinds: &[&str]) -> OfficeRow {
    let office_kind = kiban_domain::access::OfficeKind::from_code(kind).unwrap();
    OfficeRow {
        office_number: kiban_domain::access::Party::of_office(office_kind, number).unwrap(),
        name: name.into(),
        office_kind,
        service_kinds: service_kinds
            .iter()
            .map(|k| kiban_domain::codes::ServiceKind::from_code(k).unwrap())
            .collect(),
        active: true,
        created_at_ms: 0,
    }
}

/// Registers one more office in the registry (e.g. a 訪問介護 office, kind `home_service`).
pub fn add_office(fx: &mut Fixture, number: &str, name: &str, kind: &str, service_kinds: &[&str]) {
    let row = office_row(number, name, kind, service_kinds);
    fx.db(|store| store.put_office(&row).unwrap());
}

//! Writes the seed corpora into `fuzz/corpus/<target>/` and the public fixture roots into
//! `fuzz/fixtures/`, from kiban's own generators and authorities. Every run makes new roots
//! (their keys are dropped at exit), so the seeds and the fixtures are written together and
//! replace the previous ones. Run by `fuzz/seed.sh`.

use std::path::{Path, PathBuf};

use kiban_crypto::time::Duration;
use kiban_crypto::{
    CardAuthority, CardKdf, CertificateAuthority, ClientSubject, PhysicianAuthority, PhysicianId,
    Pin, RevocationList, RevocationReason, Validity,
};
use kiban_domain::careplan::YearMonth;
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_domain::records::RecordKind;
use kiban_interchange::careplan::{read_unit, to_v5, UnitKind};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::careplan::{month, CarePlanSpec};
use kiban_interchange::generate::{generate, GenerateOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

struct Corpus {
    dir: PathBuf,
    count: usize,
}

impl Corpus {
    fn new(target: &str) -> Self {
        let dir = root().join("corpus").join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear the old seeds");
        }
        std::fs::create_dir_all(&dir).expect("corpus directory");
        Self { dir, count: 0 }
    }

    fn add(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        self.count += 1;
        let file = format!("{:02}-{}", self.count, name.replace(['/', '\\'], "_"));
        std::fs::write(self.dir.join(file), bytes).expect("seed write");
    }
}

fn main() {
    let now = kiban_fuzz::now();
    std::fs::create_dir_all(kiban_fuzz::fixtures_dir()).expect("fixtures directory");
    municipal();
    careplan();
    certification();
    life();
    crypto(now);
    forms();
    dates();
    eprintln!("seeds written under {}", root().join("corpus").display());
}

fn municipal() {
    let scratch = std::env::temp_dir().join(format!("kiban-seed-{}", std::process::id()));
    let mut csv = Corpus::new("municipal_csv");
    let mut jsonl = Corpus::new("municipal_jsonl");
    for (format, encoding) in [
        (Format::Csv, Encoding::Utf8),
        (Format::Csv, Encoding::ShiftJis),
        (Format::JsonLines, Encoding::Utf8),
    ] {
        let dir = scratch.join(format!("{format:?}-{encoding:?}"));
        let options = GenerateOptions {
            insurer: InsurerNumber::parse(kiban_fuzz::INSURER).expect("insurer"),
            persons: 4,
            seed: 13,
            format,
            encoding,
            created: "20261125093000".into(),
            as_of: Date::parse_yyyymmdd("20261101").expect("a date"),
        };
        let summary = generate(&dir, &options, &mut |_| {}).expect("generate");
        for (path, _) in summary.files {
            let bytes = std::fs::read(&path).expect("generated file");
            let kind = RecordKind::ALL
                .into_iter()
                .find(|k| {
                    path.file_name()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with(k.code())
                })
                .expect("a kind");
            let declared = match encoding {
                Encoding::Utf8 => None,
                Encoding::ShiftJis => Some(Encoding::ShiftJis),
            };
            let mut seed = vec![kiban_fuzz::municipal_selector(kind, declared)];
            seed.extend_from_slice(&bytes);
            let name = format!("{}-{encoding:?}", kind.code());
            match format {
                Format::Csv => csv.add(&name, seed),
                Format::JsonLines => jsonl.add(&name, seed),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

fn careplan() {
    let spec = CarePlanSpec {
        insurer: InsurerNumber::parse(kiban_fuzz::INSURER).expect("insurer"),
        persons: 3,
        insured: Vec::new(),
        month: YearMonth::parse("202610").expect("a month"),
        care_offices: 1,
        service_offices: 5,
        seed: 7,
        created: "20261101093000".into(),
        deletions: true,
    };
    let generated = month(&spec);
    let mut v4 = Corpus::new("careplan_v4");
    let mut v5 = Corpus::new("careplan_v5");
    let mut names = Corpus::new("file_names");
    let mut seen = Vec::new();
    for unit in &generated.units {
        // One unit of each kind keeps the corpus small; every file kind is covered.
        if seen.contains(&unit.kind) {
            continue;
        }
        seen.push(unit.kind);
        let label = format!("{:?}", unit.kind);
        v4.add(&label, kiban_fuzz::join_files(&unit.files));
        for (name, _) in &unit.files {
            names.add("v4", name);
        }
        let read = read_unit(&unit.files).expect("generated units read");
        let json = serde_json::to_vec_pretty(&to_v5(&read)).expect("V5 JSON");
        v5.add(&label, json);
        if unit.kind == UnitKind::Plan {
            if let Some((name, bytes)) = unit.files.first() {
                let mut single = name.clone().into_bytes();
                single.push(b'\n');
                single.extend_from_slice(bytes);
                v4.add("single-file", single);
            }
        }
    }
    for kind in RecordKind::ALL {
        for format in [Format::Csv, Format::JsonLines] {
            names.add("municipal", kiban_fuzz::municipal_file_name(kind, format));
        }
    }
}

fn certification() {
    let applied = Date::parse_yyyymmdd("20260401").expect("a date");
    let mut corpus = Corpus::new("certification_documents");
    let survey = kiban_testkit::certification::survey(applied);
    corpus.add("survey", serde_json::to_vec_pretty(&survey).expect("json"));
    let judgment = kiban_testkit::certification::primary_judgment();
    corpus.add(
        "primary-judgment",
        serde_json::to_vec(&judgment).expect("json"),
    );
    for level in [
        CareLevel::Care1,
        CareLevel::Support2,
        CareLevel::NotApplicable,
    ] {
        let result = kiban_testkit::certification::committee_result(applied, level);
        corpus.add("committee", serde_json::to_vec(&result).expect("json"));
    }
}

fn life() {
    let mut corpus = Corpus::new("life_sheet");
    corpus.add(
        "docs-example",
        r#"{"period":"202609","office":"1370000011","service_kind":"15","measures":[
  {"domain":"adl","item":"barthel_total","label":"Barthel Index 合計","value":"65","previous":"60","national_reference":"55","unit":"点"},
  {"domain":"nutrition","item":"bmi","label":"BMI","value":"19.8","unit":"kg/m²"}]}"#,
    );
    corpus.add(
        "invalid",
        r#"{"period":"202613","office":"1370000011","service_kind":"15","measures":[{"domain":"oral","item":"X","label":" ","value":"-1.5e3"}]}"#,
    );
}

fn crypto(now: kiban_crypto::time::OffsetDateTime) {
    let fixtures = kiban_fuzz::fixtures_dir();
    let validity = Validity::days_from(now - Duration::days(30), 365);
    let pin = Pin::parse("1234").expect("a PIN");
    let fast = CardKdf::INSECURE_FAST_FOR_TESTS;

    // Client certificates and CRLs.
    let ca =
        CertificateAuthority::init("kiban fuzz client CA", now - Duration::days(30)).expect("CA");
    std::fs::write(fixtures.join("client-ca.pem"), ca.cert_pem()).expect("fixture");
    let mut certs = Corpus::new("client_certificate");
    let office = ClientSubject::Office {
        office_number: OfficeNumber::parse("1370000001").expect("office"),
    };
    let hospital = ClientSubject::Hospital {
        institution_code: MedicalInstitutionCode::parse("1310000017").expect("institution"),
    };
    let mut revoked = RevocationList::new();
    for (label, subject) in [("office", &office), ("hospital", &hospital)] {
        let issued = ca
            .issue_client(subject, validity)
            .expect("client certificate");
        certs.add(label, &issued.cert_der);
        revoked.revoke(issued.serial, RevocationReason::KeyCompromise, now);
    }
    let server = ca
        .issue_server(&["localhost", "127.0.0.1"], validity)
        .expect("server certificate");
    certs.add("server", &server.cert_der);
    certs.add("root", ca.anchor().der());
    let mut crls = Corpus::new("crl");
    let empty = ca.sign_crl(&RevocationList::new(), now).expect("CRL");
    crls.add("empty-der", &empty.der);
    let listed = ca.sign_crl(&revoked, now).expect("CRL");
    crls.add("two-der", &listed.der);
    crls.add("two-pem", listed.pem.as_bytes());

    // Cards and card logins.
    let cards = CardAuthority::init_development("kiban fuzz card root", now - Duration::days(30))
        .expect("card root")
        .with_kdf(fast);
    std::fs::write(fixtures.join("card-root.pem"), cards.trust_root().pem()).expect("fixture");
    let card = cards
        .issue_card(
            InsuredNumber::parse("0000100001").expect("insured"),
            &pin,
            validity,
        )
        .expect("card")
        .card;
    let mut files = Corpus::new("card_file");
    files.add("card", card.to_json());
    let challenge = kiban_fuzz::challenge();
    let signature = card
        .sign_challenge(&pin, &challenge.message())
        .expect("signs");
    let mut logins = Corpus::new("card_signature");
    logins.add(
        "login",
        serde_json::to_vec(&serde_json::json!({
            "challenge_id": challenge.id,
            "signature": signature,
        }))
        .expect("json"),
    );
    logins.add("reader-app", serde_json::to_vec(&signature).expect("json"));

    // Physicians and signed opinions.
    let physicians = PhysicianAuthority::init_development(now - Duration::days(30))
        .expect("physician root")
        .with_kdf(fast);
    std::fs::write(
        fixtures.join("physician-root.pem"),
        physicians.trust_root().pem(),
    )
    .expect("fixture");
    let doctor = physicians
        .issue(
            MedicalInstitutionCode::parse("1310000017").expect("institution"),
            &PhysicianId::parse("123456").expect("physician"),
            &pin,
            validity,
        )
        .expect("physician file");
    files.add("physician", doctor.file.to_json());
    let body = r#"{"diagnosis":"脳梗塞後遺症","onset":"20250110","stability":"stable","remarks":"週3回の通所リハビリを推奨"}"#;
    let signed = doctor.file.sign(&pin, body.as_bytes()).expect("signs");
    let mut opinions = Corpus::new("physician_opinion");
    opinions.add(
        "opinion",
        serde_json::to_vec(&serde_json::json!({ "body": body, "signature": signed }))
            .expect("json"),
    );
}

fn forms() {
    let mut corpus = Corpus::new("page_forms");
    for body in [
        "csrf=abc&size=large&back=%2Foffice%2Fpersons%3Finsurer%3D131011",
        "csrf=abc&staff_id=city01&password=secret&totp=123456",
        "csrf=abc&insurer=131011&name=%E5%B1%B1%E7%94%B0+%E8%8A%B1%E5%AD%90&birth_date=%E6%98%AD%E5%92%8C15%E5%B9%B44%E6%9C%881%E6%97%A5&sex=2&address=%E6%9D%B1%E4%BA%AC%E9%83%BD",
        "csrf=abc&purpose=certification&insured=0000100001",
        "csrf=abc&purpose=aggregate&period=2026H2&office=1370000001&service=11&reason=3&excluded=2&note=x",
        "csrf=abc&purpose=certification&surveyed_on=%E4%BB%A4%E5%92%8C8%E5%B9%B412%E6%9C%885%E6%97%A5&surveyor_name=a&affiliation=b&place_kind=1&physical=J1&dementia=I&q_1-1-1=1&q_1-1-2=2&n_1=note",
        "csrf=abc&method=card_presented&card_presence=x&consent_careplan=on&response=%7B%22cert_pem%22%3A%22-----BEGIN%22%2C%22signature%22%3A%22AAAA%22%7D",
        "csrf=abc&challenge_id=id&cert_pem=pem&signature=AAAA",
    ] {
        corpus.add("form", body);
    }
}

fn dates() {
    let mut corpus = Corpus::new("date_text");
    for raw in [
        "20260401",
        "2026-04-01",
        "R070401",
        "5070401",
        "令和7年4月1日",
        "令和元年5月1日",
        "平成31年4月30日",
        "Ｈ３１．４．３０",
        "ヤマダ　ハナコ",
        "ｶﾞｯｺｳ-ｷｮｳｼﾂ",
        "やまだ はなこ",
        "髙橋",
        "１２３ー４５６７",
    ] {
        corpus.add("text", raw);
    }
}

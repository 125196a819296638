//! Physician certificates (HPKI stand-in): a detached signature over the 主治医意見書 verifies
//! only under the physician root, names the institution and physician, and is refused when the
//! document, the root, the validity or the revocation status is wrong.

use kiban_crypto::physician::load_revocations;
use kiban_crypto::time::Duration;
use kiban_crypto::{
    verify_card_login, verify_physician_signature, CardAuthority, CardError, CardKdf, CertError,
    Challenges, IssuedPhysician, PhysicianAuthority, PhysicianError, PhysicianFile, PhysicianId,
    Pin, RevocationList, RevocationReason, Validity,
};
use kiban_domain::ids::{InsuredNumber, MedicalInstitutionCode};

use crate::now;

const INSTITUTION: &str = "1310000017";
const PHYSICIAN: &str = "123456";
const OPINION: &[u8] =
    r#"{"opinion":"主治医意見書","insured":"0000012345","care_level":"21"}"#.as_bytes();

fn authority() -> PhysicianAuthority {
    PhysicianAuthority::init_development(now())
        .unwrap()
        .with_kdf(CardKdf::INSECURE_FAST_FOR_TESTS)
}

fn pin() -> Pin {
    Pin::parse("4321").unwrap()
}

fn issue(authority: &PhysicianAuthority, validity: Validity) -> IssuedPhysician {
    authority
        .issue(
            MedicalInstitutionCode::parse(INSTITUTION).unwrap(),
            &PhysicianId::parse(PHYSICIAN).unwrap(),
            &pin(),
            validity,
        )
        .unwrap()
}

fn physician(authority: &PhysicianAuthority) -> IssuedPhysician {
    issue(authority, Validity::days_from(now(), 2 * 365))
}

fn verify(
    authority: &PhysicianAuthority,
    revocations: &RevocationList,
    message: &[u8],
    issued: &IssuedPhysician,
) -> Result<kiban_crypto::PhysicianIdentity, PhysicianError> {
    let signature = issued.file.sign(&pin(), OPINION).unwrap();
    verify_physician_signature(
        authority.trust_root(),
        revocations,
        message,
        &signature,
        now(),
    )
}

#[test]
fn a_valid_signature_verifies_and_names_the_institution_and_physician() {
    let authority = authority();
    let issued = physician(&authority);
    let id = verify(&authority, &RevocationList::new(), OPINION, &issued).unwrap();
    assert_eq!(id.institution_code.to_string(), INSTITUTION);
    assert_eq!(id.physician_id.as_str(), PHYSICIAN);
    assert_eq!(id.serial, issued.serial);
    assert_eq!(id.fingerprint, issued.fingerprint);

    // The raw r‖s form WebCrypto produces verifies too.
    let der_sig = issued.file.sign(&pin(), OPINION).unwrap();
    let sig = p256::ecdsa::DerSignature::from_bytes(&der_sig.signature).unwrap();
    let raw = p256::ecdsa::Signature::try_from(sig).unwrap();
    let raw_sig = kiban_crypto::PhysicianSignature {
        signature: raw.to_bytes().to_vec(),
        ..der_sig
    };
    assert!(verify_physician_signature(
        authority.trust_root(),
        &RevocationList::new(),
        OPINION,
        &raw_sig,
        now()
    )
    .is_ok());
}

#[test]
fn a_tampered_opinion_is_refused() {
    let authority = authority();
    let issued = physician(&authority);
    let mut tampered = OPINION.to_vec();
    let at = tampered.len() - 3;
    tampered[at] = b'5';
    let err = verify(&authority, &RevocationList::new(), &tampered, &issued).unwrap_err();
    assert!(matches!(err, PhysicianError::BadSignature), "{err}");
    assert!(err.to_string().contains("改ざん") && err.to_string().contains("tampered"));
}

#[test]
fn a_certificate_from_another_physician_root_is_refused() {
    let ours = authority();
    let theirs = authority();
    let issued = physician(&theirs);
    let err = verify(&ours, &RevocationList::new(), OPINION, &issued).unwrap_err();
    assert!(matches!(err, PhysicianError::Foreign), "{err}");
}

#[test]
fn card_and_physician_roots_do_not_trust_each_other() {
    let physicians = authority();
    let cards = CardAuthority::init_development("kiban development card root", now())
        .unwrap()
        .with_kdf(CardKdf::INSECURE_FAST_FOR_TESTS);
    let card = cards
        .issue_card(
            InsuredNumber::parse("0000012345").unwrap(),
            &pin(),
            Validity::days_from(now(), 365),
        )
        .unwrap();

    // A citizen's card signing an opinion: not a physician.
    let card_sig = card.card.sign_challenge(&pin(), OPINION).unwrap();
    assert!(matches!(
        verify_physician_signature(
            physicians.trust_root(),
            &RevocationList::new(),
            OPINION,
            &card_sig,
            now()
        ),
        Err(PhysicianError::Foreign)
    ));
    // Nor is a card file accepted as a physician file.
    assert!(matches!(
        PhysicianFile::from_json(&card.card.to_json()),
        Err(PhysicianError::Malformed(_))
    ));

    // A physician's certificate logging in as a citizen.
    let issued = physician(&physicians);
    let mut store = Challenges::default();
    let sent = store.issue(now()).unwrap();
    let signature = issued.file.sign(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(matches!(
        verify_card_login(
            cards.trust_root(),
            &RevocationList::new(),
            &taken,
            &signature,
            now()
        ),
        Err(CardError::Certificate(CertError::Foreign))
    ));
}

#[test]
fn a_revoked_physician_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (authority, created) = PhysicianAuthority::load_or_init(dir.path(), now()).unwrap();
    assert!(created);
    let authority = authority.with_kdf(CardKdf::INSECURE_FAST_FOR_TESTS);
    let issued = physician(&authority);
    let other = physician(&authority);

    let (added, _) = authority
        .revoke(
            dir.path(),
            issued.file.serial().unwrap(),
            RevocationReason::KeyCompromise,
            now(),
        )
        .unwrap();
    assert!(added);
    // The server's view: the CRL read back and checked against the root alone.
    let (reloaded, created) = PhysicianAuthority::load_or_init(dir.path(), now()).unwrap();
    assert!(!created);
    let list = load_revocations(dir.path(), reloaded.trust_root()).unwrap();
    assert_eq!(list.len(), 1);

    let err = verify(&authority, &list, OPINION, &issued).unwrap_err();
    assert!(
        matches!(
            err,
            PhysicianError::Revoked {
                reason: RevocationReason::KeyCompromise
            }
        ),
        "{err}"
    );
    assert!(verify(&authority, &list, OPINION, &other).is_ok());

    // Another root's CRL is not accepted as the physician CRL.
    assert!(load_revocations(dir.path(), self::authority().trust_root()).is_err());
}

#[test]
fn an_expired_or_not_yet_valid_physician_certificate_is_refused() {
    let authority = authority();
    let expired = issue(
        &authority,
        Validity {
            not_before: now() - Duration::days(10),
            not_after: now() - Duration::days(1),
        },
    );
    let err = verify(&authority, &RevocationList::new(), OPINION, &expired).unwrap_err();
    assert!(matches!(err, PhysicianError::Expired), "{err}");

    let future = issue(
        &authority,
        Validity {
            not_before: now() + Duration::days(1),
            not_after: now() + Duration::days(10),
        },
    );
    let err = verify(&authority, &RevocationList::new(), OPINION, &future).unwrap_err();
    assert!(matches!(err, PhysicianError::NotYetValid), "{err}");
}

#[test]
fn malformed_input_and_wrong_pins_are_refused_clearly() {
    let authority = authority();
    let issued = physician(&authority);
    let good = issued.file.sign(&pin(), OPINION).unwrap();
    let garbage = kiban_crypto::PhysicianSignature {
        cert_pem: "not a certificate".into(),
        ..good
    };
    assert!(matches!(
        verify_physician_signature(
            authority.trust_root(),
            &RevocationList::new(),
            OPINION,
            &garbage,
            now()
        ),
        Err(PhysicianError::Malformed(_))
    ));
    assert!(matches!(
        issued.file.sign(&Pin::parse("0000").unwrap(), OPINION),
        Err(PhysicianError::Card(CardError::WrongPin))
    ));
    for bad in ["", "12a4", "12345678901"] {
        assert!(matches!(
            PhysicianId::parse(bad),
            Err(PhysicianError::PhysicianIdFormat)
        ));
    }
}

#[test]
fn physician_files_round_trip_and_say_who_they_are_for() {
    let authority = authority();
    let issued = physician(&authority);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doctor.physician.json");
    issued.file.save(&path).unwrap();
    let loaded = PhysicianFile::load(&path).unwrap();
    assert_eq!(loaded, issued.file);
    assert!(loaded.to_json().contains("kiban-card/2"));
    assert!(!format!("{loaded:?}").contains("ciphertext"));
    let (institution, physician) = loaded.holder().unwrap();
    assert_eq!(institution.to_string(), INSTITUTION);
    assert_eq!(physician.as_str(), PHYSICIAN);
    assert_eq!(loaded.serial().unwrap(), issued.serial);
    assert!(format!("{authority:?}").contains("[redacted]"));
}

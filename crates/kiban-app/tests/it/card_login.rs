//! Failed card logins: with a card linked to a person each one leaves a deny event in that
//! person's access history, named by the failed check; without a person (foreign, unparseable
//! or unlinked certificate) nothing is appended.

use kiban_app::access::{Caller, Outcome};
use kiban_app::citizen::{
    access_history, card_login, issue_challenge, unattributed_failures, CardLoginRefusal,
};
use kiban_crypto::time::{Duration, OffsetDateTime};
use kiban_crypto::{
    CardAuthority, CardSignature, IssuedCard, RevocationList, RevocationReason, Validity,
};
use kiban_domain::access::{Actor, CardLoginReason, PersonRef, Timestamp};
use kiban_domain::audit::Decision;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_store::CardLinkRow;
use kiban_testkit::{on_both_engines, TestDb};

const NOW: i64 = 1_793_581_200_000;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW / 1000).unwrap()
}

fn person() -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::parse("0000100001").unwrap(),
    }
}

fn pin() -> kiban_crypto::Pin {
    kiban_crypto::Pin::parse("1234").unwrap()
}

fn root() -> CardAuthority {
    CardAuthority::init_development("test card root", now())
        .unwrap()
        .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS)
}

/// A card of `root`, linked to [`person`] when `link` is set.
fn card(db: &mut TestDb, root: &CardAuthority, validity: Validity, link: bool) -> IssuedCard {
    let issued = root.issue_card(person().insured, &pin(), validity).unwrap();
    if link {
        db.store()
            .link_card(&CardLinkRow {
                fingerprint: issued.link.fingerprint.to_string(),
                insurer: person().insurer,
                insured: person().insured,
                linked_at_ms: NOW,
                linked_by: "test".into(),
                unlinked_at_ms: None,
            })
            .unwrap();
    }
    issued
}

struct Server {
    root: CardAuthority,
    crl: RevocationList,
}

impl Server {
    /// A fresh challenge signed by `card`: (challenge id, signature).
    fn signed(&mut self, db: &mut TestDb, card: &IssuedCard) -> (String, CardSignature) {
        let challenge = issue_challenge(db.conn(), now()).unwrap().unwrap();
        let signature = card
            .card
            .sign_challenge(&pin(), &challenge.message())
            .unwrap();
        (challenge.id, signature)
    }

    fn login(
        &mut self,
        db: &mut TestDb,
        id: &str,
        signature: &CardSignature,
    ) -> Result<PersonRef, CardLoginRefusal> {
        card_login(
            db.conn(),
            self.root.trust_root(),
            &self.crl,
            id,
            signature,
            now(),
        )
        .unwrap()
    }
}

/// A refusal for `want` (API code `code`) that was audited for the card's person.
fn audited(r: Result<PersonRef, CardLoginRefusal>, want: CardLoginReason, code: &str) {
    let refusal = r.unwrap_err();
    assert_eq!((refusal.reason, refusal.code), (want, code));
    assert!(refusal.audited, "{want:?}");
}

fn failed_logins_of_a_linked_card_are_in_its_persons_history(db: &mut TestDb) {
    let mut server = Server {
        root: root(),
        crl: RevocationList::new(),
    };
    let year = Validity::days_from(now(), 365);
    let good = card(db, &server.root, year, true);
    let (id, signature) = server.signed(db, &good);
    assert_eq!(server.login(db, &id, &signature), Ok(person()));
    assert_eq!(
        db.store().audit_head().unwrap().0,
        0,
        "a login reads nothing"
    );

    let replay = server.login(db, &id, &signature);
    audited(
        replay,
        CardLoginReason::ChallengeReplayed,
        "CHALLENGE_REJECTED",
    );
    let (_, signature) = server.signed(db, &good);
    let unknown = server.login(db, "no-such-challenge", &signature);
    audited(
        unknown,
        CardLoginReason::ChallengeUnknown,
        "CHALLENGE_REJECTED",
    );
    let (id, mut signature) = server.signed(db, &good);
    signature.signature = good
        .card
        .sign_challenge(&pin(), b"other")
        .unwrap()
        .signature;
    let bad = server.login(db, &id, &signature);
    audited(bad, CardLoginReason::BadSignature, "CARD_REJECTED");
    let past = Validity {
        not_before: now() - Duration::days(30),
        not_after: now() - Duration::days(1),
    };
    let expired = card(db, &server.root, past, true);
    let (id, signature) = server.signed(db, &expired);
    let r = server.login(db, &id, &signature);
    audited(r, CardLoginReason::CardExpired, "CARD_REJECTED");
    server.crl.revoke(
        good.link.serial.clone(),
        RevocationReason::KeyCompromise,
        now(),
    );
    let (id, signature) = server.signed(db, &good);
    let revoked = server.login(db, &id, &signature);
    audited(revoked, CardLoginReason::CardRevoked, "CARD_REJECTED");

    let events = db
        .store()
        .audit_for_person("131011", "0000100001", None, 10)
        .unwrap();
    let reasons: Vec<&str> = events.iter().map(|e| e.entry.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "CARD_REVOKED",
            "CARD_EXPIRED",
            "BAD_SIGNATURE",
            "CHALLENGE_UNKNOWN",
            "CHALLENGE_REPLAYED"
        ]
    );
    for e in &events {
        assert_eq!(e.entry.decision, Decision::Deny);
        assert_eq!(
            (e.entry.actor_kind.as_str(), e.entry.action.as_str()),
            ("citizen", "read")
        );
        assert_eq!(e.entry.at_ms, NOW);
    }

    // The person sees the attempts among their own history.
    let me = Caller {
        actor: Actor::Citizen { person: person() },
        account: "citizen".into(),
    };
    let at = Timestamp::from_millis(NOW + 1);
    let Outcome::Allowed(lines) = access_history(db.conn(), &me, person(), None, 10, at).unwrap()
    else {
        panic!("the person reads their own history")
    };
    assert_eq!(lines.len(), 6, "five failed logins and this view");
    assert!(lines[1..].iter().all(|l| !l.allowed && l.who == "本人"));
    assert_eq!(lines[1].reason, "CARD_REVOKED");
}

fn failures_naming_no_person_are_only_counted(db: &mut TestDb) {
    let mut server = Server {
        root: root(),
        crl: RevocationList::new(),
    };
    let year = Validity::days_from(now(), 365);
    let before = unattributed_failures();
    let other_root = root();
    let foreign = card(db, &other_root, year, false);
    let (id, signature) = server.signed(db, &foreign);
    let r = server.login(db, &id, &signature).unwrap_err();
    assert_eq!((r.reason, r.audited), (CardLoginReason::CardForeign, false));
    // Replaying a foreign card's answer names no one either.
    let r = server.login(db, &id, &signature).unwrap_err();
    assert_eq!(
        (r.reason, r.audited),
        (CardLoginReason::ChallengeReplayed, false)
    );
    let unlinked = card(db, &server.root, year, false);
    let (id, signature) = server.signed(db, &unlinked);
    let r = server.login(db, &id, &signature).unwrap_err();
    assert_eq!(
        (r.reason, r.code, r.audited),
        (CardLoginReason::CardNotLinked, "CARD_NOT_LINKED", false)
    );
    let (id, mut signature) = server.signed(db, &unlinked);
    signature.cert_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into();
    let r = server.login(db, &id, &signature).unwrap_err();
    assert_eq!(
        (r.reason, r.audited),
        (CardLoginReason::CardMalformed, false)
    );

    assert_eq!(
        db.store().audit_head().unwrap().0,
        0,
        "nothing to attribute"
    );
    // Other tests in this process count too, so only a lower bound holds.
    assert!(unattributed_failures() >= before + 4);
}

on_both_engines!(
    failed_logins_of_a_linked_card_are_in_its_persons_history,
    failures_naming_no_person_are_only_counted
);

//! What kiban's CA issues must pass the verifier rustls uses for mutual TLS (rustls-webpki),
//! including its CRL handling, so `kiban serve` can hand the same files to rustls.

use kiban_crypto::{
    CertificateAuthority, ClientSubject, RevocationList, RevocationReason, Validity,
};
use kiban_domain::ids::OfficeNumber;
use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::{
    anchor_from_trusted_cert, BorrowedCertRevocationList, CertRevocationList, EndEntityCert,
    KeyUsage, RevocationOptionsBuilder,
};

use crate::now;

fn verify(ca: &CertificateAuthority, cert_der: &[u8], crl_der: &[u8]) -> Result<(), webpki::Error> {
    let root = CertificateDer::from(ca.anchor().der().to_vec());
    let anchors = [anchor_from_trusted_cert(&root).unwrap()];
    let leaf_der = CertificateDer::from(cert_der.to_vec());
    let leaf = EndEntityCert::try_from(&leaf_der).unwrap();
    let crl: CertRevocationList = BorrowedCertRevocationList::from_der(crl_der)
        .unwrap()
        .into();
    let crls = [&crl];
    let revocation = RevocationOptionsBuilder::new(&crls).unwrap().build();
    let time =
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(now().unix_timestamp() as u64));
    leaf.verify_for_usage(
        &[webpki::ring::ECDSA_P256_SHA256],
        &anchors,
        &[],
        time,
        KeyUsage::client_auth(),
        Some(revocation),
        None,
    )
    .map(|_| ())
}

#[test]
fn client_certificates_and_crls_are_accepted_by_rustls_webpki() {
    let ca = CertificateAuthority::init("kiban test CA", now()).unwrap();
    let subject = ClientSubject::Office {
        office_number: OfficeNumber::parse("1370000001").unwrap(),
    };
    let good = ca
        .issue_client(&subject, Validity::days_from(now(), 30))
        .unwrap();
    let bad = ca
        .issue_client(&subject, Validity::days_from(now(), 30))
        .unwrap();
    let mut list = RevocationList::new();
    list.revoke(bad.serial.clone(), RevocationReason::Superseded, now());
    let crl = ca.sign_crl(&list, now()).unwrap();

    assert_eq!(verify(&ca, &good.cert_der, &crl.der), Ok(()));
    assert_eq!(
        verify(&ca, &bad.cert_der, &crl.der),
        Err(webpki::Error::CertRevoked)
    );
}

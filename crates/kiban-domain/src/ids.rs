//! Identifiers. Each parses from its printed form and can only hold a valid value.

use std::fmt;

/// Why an identifier was refused. Messages name the identifier in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "{name}は{len}桁の数字でなければなりません / {english} must be {len} digits, got {got:?}"
    )]
    Format {
        name: &'static str,
        english: &'static str,
        len: usize,
        got: String,
    },
    #[error("保険者番号の検証番号が違います（期待値 {expected}）/ insurer number check digit is wrong, expected {expected}, got {got}")]
    CheckDigit { expected: u8, got: u8 },
    #[error("法人番号の検査用数字が違います（期待値 {expected}）/ corporation number check digit is wrong, expected {expected}, got {got}")]
    CorporationCheckDigit { expected: u8, got: u8 },
}

fn digits(raw: &str, len: usize, name: &'static str, english: &'static str) -> Result<(), IdError> {
    if raw.len() == len && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(IdError::Format {
            name,
            english,
            len,
            got: raw.to_string(),
        })
    }
}

/// 被保険者番号: 10 digits numbered by each insurer. No national check digit is known, so only
/// the shape is enforced (facts.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsuredNumber(u64);

impl InsuredNumber {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        digits(raw, 10, "被保険者番号", "insured number")?;
        Ok(Self(raw.parse().expect("ten ascii digits fit in u64")))
    }
    /// The number as an integer; kept because packing it into set keys keeps large imports small.
    pub fn as_u64(self) -> u64 {
        self.0
    }
    pub fn from_u64(value: u64) -> Option<Self> {
        (value < 10_000_000_000).then_some(Self(value))
    }
}

impl fmt::Display for InsuredNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:010}", self.0)
    }
}

/// What to do when a 保険者番号 fails its check digit. The rule in facts.md §2 is the health
/// insurance one and only "probable" for care, so a deployment may downgrade it to a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckDigitPolicy {
    #[default]
    Enforce,
    Warn,
}

/// 保険者番号 (介護): 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsurerNumber(u32);

/// The outcome of parsing a 保険者番号 under [`CheckDigitPolicy::Warn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInsurer {
    pub number: InsurerNumber,
    /// Set when the check digit is wrong and the policy only warns.
    pub warning: Option<IdError>,
}

impl InsurerNumber {
    /// Parses and enforces the check digit.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        Self::parse_with(raw, CheckDigitPolicy::Enforce).map(|p| p.number)
    }

    pub fn parse_with(raw: &str, policy: CheckDigitPolicy) -> Result<ParsedInsurer, IdError> {
        digits(raw, 6, "保険者番号", "insurer number")?;
        let bytes = raw.as_bytes();
        let expected = check_digit(&bytes[..5]);
        let got = bytes[5] - b'0';
        let number = Self(raw.parse().expect("six ascii digits fit in u32"));
        match (expected == got, policy) {
            (true, _) => Ok(ParsedInsurer {
                number,
                warning: None,
            }),
            (false, CheckDigitPolicy::Warn) => Ok(ParsedInsurer {
                number,
                warning: Some(IdError::CheckDigit { expected, got }),
            }),
            (false, CheckDigitPolicy::Enforce) => Err(IdError::CheckDigit { expected, got }),
        }
    }

    /// Builds a valid number from the first five digits, appending the check digit.
    pub fn from_body(body: &str) -> Result<Self, IdError> {
        digits(body, 5, "保険者番号(検証番号を除く)", "insurer number body")?;
        let cd = check_digit(body.as_bytes());
        Ok(Self(
            body.parse::<u32>().expect("five digits") * 10 + u32::from(cd),
        ))
    }

    /// 都道府県番号, the first two digits.
    pub fn prefecture(self) -> u8 {
        (self.0 / 10_000) as u8
    }
}

/// The 2-1 modulus-10 rule of the 保険者番号設定要領: weights 2,1,2,1,2 from the right, the digits
/// of each product summed, check digit = (10 − last digit of the sum) mod 10. `body` is ASCII
/// digits.
pub fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let p = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// 事業所番号: 10 digits. Only the structure is enforced; the check-digit weights are not
/// verified (facts.md §2), so enforcing them would reject real offices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeNumber(u64);

impl OfficeNumber {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        digits(raw, 10, "事業所番号", "office number")?;
        Ok(Self(raw.parse().expect("ten digits")))
    }
    /// The 種別 digit (third digit): 1 = 病院・診療所 (みなし), 7 = 指定事業所, 9 = 地域密着, ….
    pub fn kind_digit(self) -> u8 {
        ((self.0 / 10_000_000) % 10) as u8
    }
}

impl fmt::Display for OfficeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:010}", self.0)
    }
}

/// 医療機関コード: 10 digits = 都道府県番号 (2) + 点数表番号 (1: 1 医科, 3 歯科) + 郡市区 (2) +
/// 医療機関番号 (4) + 検証番号 (1), as on the レセプト. Structure only, for the same reason as
/// [`OfficeNumber`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MedicalInstitutionCode(u64);

impl MedicalInstitutionCode {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        digits(raw, 10, "医療機関コード", "medical institution code")?;
        let table = raw.as_bytes()[2];
        if !matches!(table, b'1' | b'3') {
            return Err(IdError::Format {
                name: "医療機関コード(点数表番号は1か3)",
                english: "medical institution code (score table digit 1 or 3)",
                len: 10,
                got: raw.to_string(),
            });
        }
        Ok(Self(raw.parse().expect("ten digits")))
    }
}

impl fmt::Display for MedicalInstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:010}", self.0)
    }
}

/// 法人番号: 13 digits, a check digit followed by the 12-digit 基礎番号 (法人番号の指定等に関する
/// 省令 第2条): check = 9 − (Σ Pn × Qn mod 9), Pn the n-th digit of the base counted from the
/// right, Qn 1 for odd n and 2 for even n. Public data, so the check digit is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CorporationNumber(u64);

impl CorporationNumber {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        digits(raw, 13, "法人番号", "corporation number")?;
        let b = raw.as_bytes();
        let expected = corporation_check_digit(&b[1..]);
        let got = b[0] - b'0';
        if got != expected {
            return Err(IdError::CorporationCheckDigit { expected, got });
        }
        Ok(Self(raw.parse().expect("thirteen digits")))
    }

    /// The number for a 12-digit base, with its check digit in front.
    pub fn from_base(base: &str) -> Result<Self, IdError> {
        digits(base, 12, "法人番号の基礎番号", "corporation base number")?;
        let check = corporation_check_digit(base.as_bytes());
        Self::parse(&format!("{check}{base}"))
    }
}

fn corporation_check_digit(base: &[u8]) -> u8 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    (9 - sum % 9) as u8
}

impl fmt::Display for CorporationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}", self.0)
    }
}

#[cfg(test)]
mod corporation_tests {
    use super::*;

    #[test]
    fn the_national_tax_agency_number_checks() {
        // 国税庁's own 法人番号, published on its 法人番号公表サイト.
        assert_eq!(
            CorporationNumber::parse("7000012050002")
                .unwrap()
                .to_string(),
            "7000012050002"
        );
        assert!(matches!(
            CorporationNumber::parse("6000012050002"),
            Err(IdError::CorporationCheckDigit {
                expected: 7,
                got: 6
            })
        ));
        assert_eq!(
            CorporationNumber::from_base("000012050002")
                .unwrap()
                .to_string(),
            "7000012050002"
        );
        assert!(CorporationNumber::parse("700001205000").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chiyoda_insurer_number_has_check_digit_one() {
        assert_eq!(
            InsurerNumber::from_body("13101").unwrap().to_string(),
            "131011"
        );
        assert!(InsurerNumber::parse("131011").is_ok());
        assert_eq!(
            InsurerNumber::parse("131012"),
            Err(IdError::CheckDigit {
                expected: 1,
                got: 2
            })
        );
    }

    #[test]
    fn check_digit_failure_can_be_a_warning() {
        let p = InsurerNumber::parse_with("131015", CheckDigitPolicy::Warn).unwrap();
        assert_eq!(p.number.to_string(), "131015");
        assert!(p.warning.is_some());
    }

    #[test]
    fn identifiers_reject_wrong_shapes() {
        for bad in [
            "",
            "123456789",
            "12345678901",
            "12345678a0",
            "１２３４５６７８９０",
        ] {
            assert!(InsuredNumber::parse(bad).is_err(), "{bad}");
            assert!(OfficeNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            InsuredNumber::parse("0000000001").unwrap().to_string(),
            "0000000001"
        );
        assert_eq!(OfficeNumber::parse("1371234567").unwrap().kind_digit(), 7);
        assert!(MedicalInstitutionCode::parse("1312345678").is_ok());
        assert!(MedicalInstitutionCode::parse("1322345678").is_err());
    }
}

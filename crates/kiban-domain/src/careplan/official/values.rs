//! The value types of the layout's fields (書式 column) and how each reads and writes.

use super::{Field, FieldError};
use crate::careplan::{ServiceCode, YearMonth};
use crate::codes::ServiceKind;
use crate::date::Date;
use crate::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber, OfficeNumber};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

fn too_long(len: usize, text: &str) -> FieldError {
    FieldError::new(
        "V4_LENGTH",
        format!(
            "項目長 {len} を超えています（{} 文字）",
            text.chars().count()
        ),
        format!(
            "longer than the field length {len} ({} characters)",
            text.chars().count()
        ),
    )
}

fn check_len(text: &str, len: Option<usize>) -> Result<(), FieldError> {
    match len {
        Some(len) if text.chars().count() > len => Err(too_long(len, text)),
        _ => Ok(()),
    }
}

/// A code-table miss, in both languages.
pub(super) fn code_error(e: &crate::codes::CodeError) -> FieldError {
    FieldError::new(
        "V4_CODE",
        format!("{}に存在しないコードです: {:?}", e.table, e.got),
        format!("unknown {} code {:?}", e.english, e.got),
    )
}

fn format_error(ja: &str, en: &str, text: &str) -> FieldError {
    FieldError::new(
        "V4_FORMAT",
        format!("{ja}ではありません: {text:?}"),
        format!("not {en}: {text:?}"),
    )
}

/// CSVバージョン (No.1 of every file): the バージョン年月 of the layout. kiban reads the two values
/// of the 第4版 layout, which are identical in their records (第4.1版 changed only the file-name
/// rule's service code to the 2-digit サービス種類コード), and writes `202407`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CsvVersion {
    /// 202504: 第4版 (適用開始 2025年4月).
    #[serde(rename = "202504")]
    V4_0,
    /// 202407: 第4.1版 (適用開始 2025年4月).
    #[serde(rename = "202407")]
    V4_1,
}

impl CsvVersion {
    /// The version kiban writes.
    pub const CURRENT: CsvVersion = CsvVersion::V4_1;

    /// Earlier values of the 【CSVバージョン履歴】: known, but their layouts differ (no 第3表,
    /// no TAISコード in 第6/7表, 回数 of 2 digits, names without サービス種類), so they are refused
    /// with their own message.
    pub const EARLIER: [(&'static str, &'static str); 3] = [
        ("201910", "初版"),
        ("202003", "第2版"),
        ("202208", "第3版/第3.1版/第3.2版"),
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::V4_0 => "202504",
            Self::V4_1 => "202407",
        }
    }

    /// 版数 as the layout's history calls it.
    pub fn edition(self) -> &'static str {
        match self {
            Self::V4_0 => "第4版",
            Self::V4_1 => "第4.1版",
        }
    }
}

impl Field for CsvVersion {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        match text {
            "202504" => Ok(Self::V4_0),
            "202407" => Ok(Self::V4_1),
            _ => match Self::EARLIER.iter().find(|(code, _)| *code == text) {
                Some((code, edition)) => Err(FieldError::new(
                    "V4_VERSION_EARLIER",
                    format!(
                        "CSVバージョン {code}（{edition}）のレイアウトは読めません。第4版以降（202504 または 202407）で送ってください"
                    ),
                    format!(
                        "CSV version {code} ({edition}) is an earlier layout; send the 第4版 layout (202504 or 202407)"
                    ),
                )),
                None => Err(FieldError::new(
                    "V4_VERSION",
                    format!(
                        "CSVバージョン {text:?} はレイアウトの版の値（202504, 202407 など YYYYMM）ではありません"
                    ),
                    format!(
                        "CSV version {text:?} is not a layout version value (YYYYMM such as 202504, 202407)"
                    ),
                )),
            },
        }
    }
    fn write(&self, out: &mut String) {
        out.push_str(self.code());
    }
}

/// 保険者番号 as the layout holds it: 6 digits. The check digit is not enforced here (the
/// person's registry entry decides; a care office's file is not the place to refuse it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V4Insurer(pub InsurerNumber);

impl Field for V4Insurer {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        InsurerNumber::parse_with(text, CheckDigitPolicy::Warn)
            .map(|p| Self(p.number))
            .map_err(|_| format_error("6桁の保険者番号", "a 6-digit insurer number", text))
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{}", self.0);
    }
}

/// 被保険者番号 as the layout holds it: 10 digits. The layout also allows `H` + 9 digits for
/// 生保単独 (介護扶助 only); such a person has no 介護保険 qualification, so kiban, a registry of
/// the insured, refuses the line with its own message instead of misreading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V4Insured(pub InsuredNumber);

impl Field for V4Insured {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        if text.len() == 10
            && text.starts_with('H')
            && text[1..].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(FieldError::new(
                "V4_PUBLIC_ASSISTANCE_ONLY",
                "生保単独（H＋9桁）の利用者は介護保険の被保険者ではないため、介護情報基盤では扱いません",
                "a 生保単独 person (H + 9 digits) is not insured under 介護保険 and is outside the platform",
            ));
        }
        InsuredNumber::parse(text)
            .map(Self)
            .map_err(|_| format_error("10桁の被保険者番号", "a 10-digit insured number", text))
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{}", self.0);
    }
}

impl Field for Date {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        Date::parse_yyyymmdd(text)
            .map_err(|_| format_error("日付 YYYYMMDD", "a date YYYYMMDD", text))
    }
    fn write(&self, out: &mut String) {
        self.write_yyyymmdd(out);
    }
}

impl Field for YearMonth {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        YearMonth::parse(text).map_err(|_| format_error("年月 YYYYMM", "a month YYYYMM", text))
    }
    fn write(&self, out: &mut String) {
        self.write_yyyymm(out);
    }
}

impl Field for OfficeNumber {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        OfficeNumber::parse(text)
            .map_err(|_| format_error("10桁の事業所番号", "a 10-digit office number", text))
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Field for ServiceKind {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        ServiceKind::from_code(text).map_err(|e| code_error(&e))
    }
    fn write(&self, out: &mut String) {
        out.push_str(self.code());
    }
}

impl Field for ServiceCode {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        ServiceCode::parse(text).map_err(|e| {
            FieldError::new(
                "V4_FORMAT",
                e,
                format!("not a service code (2-digit kind + 4-character item): {text:?}"),
            )
        })
    }
    fn write(&self, out: &mut String) {
        out.push_str(self.kind.code());
        out.push_str(&self.item);
    }
}

/// 「居宅サービス計画作成（変更）日」 and 「対象年月」 of 利用者補足情報: a date or month, or zeros
/// (`00000000` / `000000`) when the 補足 goes with the other kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZeroOr<T>(pub Option<T>);

impl Field for ZeroOr<Date> {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text == "00000000" {
            Ok(Self(None))
        } else {
            <Date as Field>::parse(text, len).map(|d| Self(Some(d)))
        }
    }
    fn write(&self, out: &mut String) {
        match self.0 {
            Some(d) => d.write_yyyymmdd(out),
            None => out.push_str("00000000"),
        }
    }
}

impl Field for ZeroOr<YearMonth> {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text == "000000" {
            Ok(Self(None))
        } else {
            <YearMonth as Field>::parse(text, len).map(|m| Self(Some(m)))
        }
    }
    fn write(&self, out: &mut String) {
        match self.0 {
            Some(m) => m.write_yyyymm(out),
            None => out.push_str("000000"),
        }
    }
}

/// 整数 (単位数, 金額, 日数, …): up to the 項目長 in characters, a leading `-` allowed (減算 units
/// are negative). The text is kept as written, so a file reads back to the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    pub fn new(value: i64) -> Self {
        Self(value.to_string())
    }
    pub fn value(&self) -> i64 {
        self.0.parse().expect("validated digits")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Field for Number {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 18 {
            return Err(format_error("整数", "an integer", text));
        }
        check_len(text, len)?;
        Ok(Self(text.to_string()))
    }
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

crate::serde_str::serde_via_str!(Number, |v| v.0.clone(), |s| Number::parse(s, None)
    .map_err(|e| e.ja));

/// 単位数単価 (99.99 形式): kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// The value in hundredths (10.9 → 1090).
    pub fn centi(&self) -> u32 {
        let (whole, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let frac = format!("{frac:0<2}");
        whole.parse::<u32>().expect("validated") * 100 + frac.parse::<u32>().expect("validated")
    }
}

impl Field for Decimal {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let ok = (1..=2).contains(&whole.len())
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 2
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(text.contains('.') && frac.is_empty());
        if !ok {
            return Err(format_error(
                "99.99 形式の数",
                "a number in the form 99.99",
                text,
            ));
        }
        check_len(text, len)?;
        Ok(Self(text.to_string()))
    }
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

crate::serde_str::serde_via_str!(Decimal, |v| v.0.clone(), |s| Decimal::parse(s, None)
    .map_err(|e| e.ja));

/// A time of day HHMM (0000–2400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hhmm {
    pub hour: u8,
    pub minute: u8,
}

impl Hhmm {
    pub fn parse_text(text: &str) -> Option<Self> {
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let hour: u8 = text[..2].parse().ok()?;
        let minute: u8 = text[2..].parse().ok()?;
        (hour < 24 && minute < 60 || hour == 24 && minute == 0).then_some(Self { hour, minute })
    }
    /// "09:30" for people.
    pub fn display(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

impl Field for Hhmm {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        Self::parse_text(text).ok_or_else(|| format_error("時刻 HHMM", "a time HHMM", text))
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{:02}{:02}", self.hour, self.minute);
    }
}

crate::serde_str::serde_via_str!(Hhmm, |v| v.format(), |s| Hhmm::parse(s, None)
    .map_err(|e| e.ja));

/// サービス開始/終了時刻 of 第6表: a time, or `9999` for a service shown without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceTime {
    At(Hhmm),
    Untimed,
}

impl Field for ServiceTime {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text == "9999" {
            return Ok(Self::Untimed);
        }
        Hhmm::parse(text, len).map(Self::At).map_err(|_| {
            format_error(
                "時刻 HHMM（時間表示の無いサービスは 9999）",
                "a time HHMM (9999 for a service without one)",
                text,
            )
        })
    }
    fn write(&self, out: &mut String) {
        match self {
            Self::At(t) => t.write(out),
            Self::Untimed => out.push_str("9999"),
        }
    }
}

crate::serde_str::serde_via_str!(ServiceTime, |v| v.format(), |s| ServiceTime::parse(s, None)
    .map_err(|e| e.ja));

/// 日割対象日: 31 flags, `1` on the days that can be billed per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DayFlags(pub [bool; 31]);

impl DayFlags {
    pub fn days(&self) -> impl Iterator<Item = u32> + '_ {
        (1..=31u32).filter(|d| self.0[*d as usize - 1])
    }
}

impl Field for DayFlags {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        if text.len() != 31 || !text.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(format_error(
                "日ごとの 0/1 を31桁並べた値",
                "31 day flags of 0 or 1",
                text,
            ));
        }
        let mut days = [false; 31];
        for (i, b) in text.bytes().enumerate() {
            days[i] = b == b'1';
        }
        Ok(Self(days))
    }
    fn write(&self, out: &mut String) {
        out.extend(self.0.iter().map(|&d| if d { '1' } else { '0' }));
    }
}

crate::serde_str::serde_via_str!(DayFlags, |v| v.format(), |s| DayFlags::parse(s, None)
    .map_err(|e| e.ja));

/// 郵便番号 `XXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Field for PostalCode {
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        let b = text.as_bytes();
        let ok =
            b.len() == 8 && b[3] == b'-' && b[..3].iter().chain(&b[4..]).all(u8::is_ascii_digit);
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err(format_error(
                "郵便番号 XXX-XXXX",
                "a postal code XXX-XXXX",
                text,
            ))
        }
    }
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

crate::serde_str::serde_via_str!(PostalCode, |v| v.0.clone(), |s| PostalCode::parse(s, None)
    .map_err(|e| e.ja));

/// A short value without a fixed 書式 (電話番号, 更新業者コード, TAISコード, 識別子, …): any
/// text within the 項目長, without line breaks. Written unquoted unless it must be quoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plain(String);

impl Plain {
    pub fn new(text: &str) -> Self {
        Self(text.to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Field for Plain {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text.contains(['\r', '\n']) {
            return Err(FieldError::new(
                "V4_FORMAT",
                "フリーテキスト以外の項目に改行があります",
                "a line break in a field that is not free text",
            ));
        }
        check_len(text, len)?;
        Ok(Self(text.to_string()))
    }
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

crate::serde_str::serde_via_str!(Plain, |v| v.0.clone(), |s| Ok::<_, String>(Plain::new(s)));

/// サービス事業所コード of 第7表: an office, or ALL9 (`9999999999`) on the 全合計 line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitOffice {
    Office(OfficeNumber),
    AllOffices,
}

impl Field for LimitOffice {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text == "9999999999" {
            Ok(Self::AllOffices)
        } else {
            <OfficeNumber as Field>::parse(text, len).map(Self::Office)
        }
    }
    fn write(&self, out: &mut String) {
        match self {
            Self::Office(o) => Field::write(o, out),
            Self::AllOffices => out.push_str("9999999999"),
        }
    }
}

crate::serde_str::serde_via_str!(LimitOffice, |v| v.format(), |s| LimitOffice::parse(s, None)
    .map_err(|e| e.ja));

/// サービスコード of 第7表: a service, or one of the layout's subtotal and total lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitCode {
    Service(ServiceCode),
    /// CD + `AAAA`: 区分支給対象 種類別小計.
    KindSubtotal(ServiceKind),
    /// CD + `EEEE`: 区分支給対象外 小計.
    OutsideLimitSubtotal(ServiceKind),
    /// CD + `ZZZZ`: 30日超過分 小計.
    Over30DaysSubtotal(ServiceKind),
    /// `999999`: 全合計.
    Total,
}

impl Field for LimitCode {
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text == "999999" {
            return Ok(Self::Total);
        }
        let kind = |t: &str| ServiceKind::parse(t, Some(2));
        match (text.get(..2), text.get(2..)) {
            (Some(cd), Some("AAAA")) => kind(cd).map(Self::KindSubtotal),
            (Some(cd), Some("EEEE")) => kind(cd).map(Self::OutsideLimitSubtotal),
            (Some(cd), Some("ZZZZ")) => kind(cd).map(Self::Over30DaysSubtotal),
            _ => <ServiceCode as Field>::parse(text, len).map(Self::Service),
        }
    }
    fn write(&self, out: &mut String) {
        match self {
            Self::Service(c) => Field::write(c, out),
            Self::KindSubtotal(k) => {
                out.push_str(k.code());
                out.push_str("AAAA");
            }
            Self::OutsideLimitSubtotal(k) => {
                out.push_str(k.code());
                out.push_str("EEEE");
            }
            Self::Over30DaysSubtotal(k) => {
                out.push_str(k.code());
                out.push_str("ZZZZ");
            }
            Self::Total => out.push_str("999999"),
        }
    }
}

crate::serde_str::serde_via_str!(LimitCode, |v| v.format(), |s| LimitCode::parse(s, None)
    .map_err(|e| e.ja));

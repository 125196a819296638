//! The pure model of kiban: identifiers, code tables, dates, text and the certificate records
//! of the 介護情報基盤, plus the benefit rules as table-tested functions.
//!
//! Invariant: this crate does no IO, spawns nothing and has no async; besides serde and
//! thiserror it uses only sha2 (for the audit hash chain). Every type that can be
//! held is valid: constructors parse (`InsuredNumber::parse`), they never half-validate.
//!
//! Layout:
//! - [`access`]: the access policy: `decide` and the (事業所種別 × 職種 × 情報区分) matrix.
//! - [`audit`]: the audit log's hash chain, checkpoints and verification.
//! - [`ids`]: 被保険者番号, 保険者番号 (with its check digit), 事業所番号, 医療機関コード.
//! - [`date`]: calendar dates, Gregorian and 和暦 parsing and formatting.
//! - [`text`]: フリガナ normalisation and the JIS X 0213 repertoire check.
//! - [`matching`]: 資格確認 without a card: 基本4情報 or 被保険者番号 + 生年月日, folded for comparison.
//! - [`codes`]: 要介護状態区分, 性別, サービス種類, 負担割合, 負担限度額段階.
//! - [`records`]: the five versioned certificate records and "current as of a date".
//! - [`rules`]: 区分支給限度基準額, 負担割合 decision, 負担限度額, purchase and renovation allowances.

pub mod access;
pub mod audit;
pub mod careplan;
pub mod certification;
mod code_enum;
pub mod codes;
pub mod date;
pub mod ids;
pub mod life;
pub mod matching;
pub mod records;
pub mod rules;
mod serde_str;
pub mod text;
pub mod whole;

pub use date::Date;

//! Small builders for interface files used by the tests.

use kiban_app::import::{import_file, ImportOptions, Report};
use kiban_testkit::TestDb;
use std::path::PathBuf;

pub const COPAY_HEADER: &str = "操作区分,保険者番号,被保険者番号,履歴番号,適用開始年月日,負担割合,適用期間開始年月日,適用期間終了年月日,交付年月日";

/// A 負担割合証 row: person number, history, operation, rate.
pub fn copay_row(person: u64, history: u16, op: &str, rate: &str) -> String {
    format!("{op},131011,{person:010},{history},20250801,{rate},20250801,20260731,20250715")
}

pub struct Files {
    pub dir: tempfile::TempDir,
}

impl Files {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A UTF-8 CSV with LF line ends, the header, then `rows`.
    pub fn csv(&self, name: &str, header: &str, rows: &[String]) -> PathBuf {
        let mut text = format!("{header}\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        self.write(name, text.as_bytes())
    }
}

pub fn import(db: &mut TestDb, path: &std::path::Path) -> Report {
    import_with(db, path, &ImportOptions::default())
}

pub fn import_with(db: &mut TestDb, path: &std::path::Path, options: &ImportOptions) -> Report {
    import_file(db.conn(), path, options, &mut |_| {}).expect("import runs")
}

/// The codes of the error issues, in line order.
pub fn error_codes(report: &Report) -> Vec<(u64, &'static str)> {
    report
        .issues
        .iter()
        .filter(|i| i.is_error())
        .map(|i| (i.line, i.code))
        .collect()
}

pub const FUTAN_FULL: &str = "FUTAN_131011_ZENKEN_20261101090000.csv";
pub const FUTAN_DIFF: &str = "FUTAN_131011_SABUN_20261102090000.csv";

pub const HIHO_FULL: &str = "HIHO_131011_ZENKEN_20261101090000.csv";
pub const HIHO_HEADER: &str = "操作区分,保険者番号,被保険者番号,履歴番号,適用開始年月日,氏名,フリガナ,生年月日,性別,郵便番号,住所,交付年月日,資格取得年月日,資格喪失年月日,保険者名称,要介護状態区分,認定年月日,認定有効期間開始年月日,認定有効期間終了年月日,区分支給限度基準額,種類支給限度基準額,認定審査会意見,指定サービス種類,給付制限区分,給付制限開始年月日,給付制限終了年月日,居宅サービス計画作成区分,居宅介護支援事業所番号,居宅介護支援事業所名称,届出年月日,施設種類,施設名称,入所年月日,退所年月日";

/// A 被保険者証 row (first version, not certified) for person `person` living at `address`.
pub fn card_row_at(person: u64, address: &str) -> String {
    format!("A,131011,{person:010},1,20241115,近藤　孝,コンドウ　タカシ,19591115,1,1020085,{address},20241031,20241115,,千代田区,,,,,,,,,,,,,,,,,,,")
}

pub fn card_row(person: u64) -> String {
    card_row_at(person, "東京都千代田区六番町３番地６")
}

/// The same row as one JSON Lines object keyed by the Japanese header names.
pub fn card_json(row: &str) -> String {
    let object: serde_json::Map<String, serde_json::Value> = HIHO_HEADER
        .split(',')
        .zip(row.split(','))
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    serde_json::Value::Object(object).to_string()
}

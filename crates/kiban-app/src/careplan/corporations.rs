//! The corporation (法人) registry that 特定事業所集中減算 needs: which 法人 runs each service
//! office. Public data (法人番号 are published by the 国税庁, designations by the 指定権者), so
//! no person is involved; the 保険者's staff maintain it under the same aggregate rule as the
//! judgment that reads it.
//!
//! Input is CSV (UTF-8), one office per line: `法人番号,法人名,事業所番号,事業所名`, an optional
//! header line starting with 法人番号. Valid lines are committed; every bad line is reported with
//! its number, column and reason, and commits nothing of itself.

use crate::access::decided;
use crate::access::{authorize_aggregate, Caller, Denied, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Actor, Category, Timestamp};
use kiban_domain::ids::{CorporationNumber, OfficeNumber};
use kiban_store::{CorporationOfficeRow, CorporationRow};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineIssue {
    pub line: usize,
    pub column: usize,
    pub field: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CorporationReport {
    pub offices_registered: usize,
    pub issues: Vec<LineIssue>,
}

pub fn register_corporations(
    conn: &mut Connection,
    caller: &Caller,
    csv: &str,
    at: Timestamp,
) -> Result<Outcome<CorporationReport>> {
    let store = conn.store();
    let Actor::MunicipalStaff { insurer, .. } = caller.actor else {
        return Ok(Outcome::Denied(Denied {
            reason: "MUNICIPAL_ONLY",
            message_ja: "保険者の職員だけが使える機能です".into(),
            message_en: "only the insurer's staff use this".into(),
        }));
    };
    let decision = authorize_aggregate(store, caller, Category::CarePlan, insurer, at)?;
    decided!(decision);
    let mut report = CorporationReport::default();
    let mut rows = Vec::new();
    for (i, line) in csv.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || (n == 1 && line.starts_with("法人番号")) {
            continue;
        }
        match parse_line(n, line, at) {
            Ok(pair) => rows.push(pair),
            Err(issue) => report.issues.push(issue),
        }
    }
    crate::in_transaction(store, |s| {
        for (corporation, office) in &rows {
            s.put_corporation(corporation)?;
            s.put_corporation_office(office)?;
        }
        Ok(())
    })?;
    report.offices_registered = rows.len();
    Ok(Outcome::Allowed(report))
}

fn parse_line(
    n: usize,
    line: &str,
    at: Timestamp,
) -> std::result::Result<(CorporationRow, CorporationOfficeRow), LineIssue> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let issue = |column: usize, field: &'static str, ja: String, en: String| LineIssue {
        line: n,
        column,
        field,
        message_ja: ja,
        message_en: en,
    };
    if fields.len() != 4 {
        return Err(issue(
            fields.len().min(4),
            "列数",
            format!("4列（法人番号,法人名,事業所番号,事業所名）が必要です: {}列", fields.len()),
            format!("4 columns are needed (corporation number, name, office number, office name), got {}", fields.len()),
        ));
    }
    let corporation = CorporationNumber::parse(fields[0])
        .map_err(|e| issue(1, "法人番号", e.to_string(), e.to_string()))?;
    if fields[1].is_empty() {
        return Err(issue(
            2,
            "法人名",
            "法人名が空です".into(),
            "the corporation name is empty".into(),
        ));
    }
    let office = OfficeNumber::parse(fields[2])
        .map_err(|e| issue(3, "事業所番号", e.to_string(), e.to_string()))?;
    Ok((
        CorporationRow {
            corporation_number: corporation,
            name: fields[1].to_string(),
            registered_at_ms: at.as_millis(),
        },
        CorporationOfficeRow {
            office_number: office,
            corporation_number: corporation,
            office_name: fields[3].to_string(),
        },
    ))
}

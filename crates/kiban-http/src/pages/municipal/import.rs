//! Uploading an interface file in the 保険者ポータル: the same `kiban_app::import::import_file`
//! as `kiban import`, with the CLI's defaults (check digit enforced, encoding detected, valid
//! rows committed unless the staff ask for the whole-file policy), for the staff's own 保険者
//! only. The import reads a path (it detects the encoding and names the file from it), so the
//! upload is written to a private temporary directory under its own, checked, file name.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::import::{import_file, ImportOptions, Outcome, Report};
use kiban_domain::ids::CheckDigitPolicy;
use kiban_interchange::file_name::FileName;

use crate::pages::municipal::MunicipalStaff;
use crate::pages::session::bad_form_token;
use crate::pages::upload::read_capped;
use crate::pages::view::{grouped, page_templates, respond, Page};
use crate::state::Shared;

/// The largest file the page accepts. Larger 全件 files go through `kiban import`, which
/// streams from disk; a browser upload is held in memory before the import starts.
pub(crate) const MAX_UPLOAD: usize = 32 * 1024 * 1024;
pub(crate) const MAX_UPLOAD_LABEL: &str = "32MB";
/// The body limit of the upload route: the file plus the form's other fields and boundaries.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD + 64 * 1024;
/// Rejected lines listed on the page; the report's counts stay exact.
const ISSUES_SHOWN: usize = 200;

/// One rejected line (or warning) of the report.
pub(crate) struct IssueRow {
    line: u64,
    column: String,
    code: &'static str,
    severity: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "pages/municipal/import.html")]
pub(crate) struct ReportPage {
    page: Page,
    file: String,
    outcome: &'static str,
    summary: String,
    counts: Vec<(&'static str, String)>,
    issues: Vec<IssueRow>,
    more: u64,
}

#[derive(Template)]
#[template(path = "pages/municipal/home.html")]
pub(crate) struct UploadPage {
    page: Page,
    insurer: String,
    max: &'static str,
    /// Shown next to the file field.
    error: Option<String>,
}

page_templates!(ReportPage, UploadPage);

/// The console's start page: the upload form and the way to the other pages.
pub(crate) fn upload_form(
    state: &Shared,
    staff: &MunicipalStaff,
    error: Option<String>,
) -> UploadPage {
    UploadPage {
        page: staff.page(state),
        insurer: staff.insurer.to_string(),
        max: MAX_UPLOAD_LABEL,
        error,
    }
}

/// What the multipart form carried.
#[derive(Default)]
struct Upload {
    csrf: String,
    strict: bool,
    file_name: Option<String>,
    bytes: Vec<u8>,
}

/// Reads the form; `Err` is the message for the file field (too large, broken upload).
async fn read_form(mut multipart: Multipart) -> Result<Upload, String> {
    let too_large = || {
        format!("ファイルが大きすぎます。{MAX_UPLOAD_LABEL}以下のファイルを選んでください。それより大きいファイルは kiban import で取り込んでください。")
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            "ファイルを受け取れませんでした。もう一度選んで送信してください。".to_string()
        }
    };
    let mut upload = Upload::default();
    let mut used = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        match field.name().unwrap_or("") {
            "csrf" => upload.csrf = field.text().await.map_err(broken)?,
            "strict" => upload.strict = true,
            "file" => {
                upload.file_name = field.file_name().map(str::to_string);
                upload.bytes = read_capped(&mut field, &mut used, MAX_UPLOAD)
                    .await
                    .map_err(broken)?;
            }
            _ => {}
        }
    }
    let oversized = used > MAX_UPLOAD;
    if oversized {
        return Err(too_large());
    }
    Ok(upload)
}

/// The file's own name: the last path segment (some browsers send a full path), and only the
/// characters the naming rule uses, so it is safe as a file name in the temporary directory.
fn checked_name(raw: &str) -> Option<&str> {
    let name = raw.rsplit(['/', '\\']).next()?;
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    ok.then_some(name)
}

pub(crate) async fn upload(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    multipart: Multipart,
) -> Response {
    let form = read_form(multipart).await;
    let refuse =
        |status, message: String| respond(status, &upload_form(&state, &staff, Some(message)));
    let form = match form {
        Ok(form) => form,
        Err(message) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, message),
    };
    if !staff.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(staff.page(&state));
    }
    let Some(raw) = form.file_name.as_deref().filter(|n| !n.is_empty()) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "取り込むファイルを選んでください。".into(),
        );
    };
    let parsed = checked_name(raw)
        .ok_or_else(|| "ファイル名に使えない文字があります。".to_string())
        .and_then(|n| {
            FileName::parse(n, CheckDigitPolicy::Enforce)
                .map(|parsed| (n.to_string(), parsed))
                .map_err(|e| format!("ファイル名が規則に合いません（{}）。", e.reason_ja))
        });
    let (name, parsed) = match parsed {
        Ok(ok) => ok,
        Err(message) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    // Checked before anything is written: rows must carry the file name's 保険者番号, so a
    // file named for this 保険者 cannot commit another's rows.
    if parsed.insurer != staff.insurer {
        let message = format!(
            "保険者番号 {} のファイルです。取り込めるのは、この保険者（{}）のファイルだけです。",
            parsed.insurer, staff.insurer
        );
        return refuse(StatusCode::FORBIDDEN, message);
    }
    let options = ImportOptions {
        strict: form.strict,
        ..ImportOptions::default()
    };
    let bytes = form.bytes;
    let run = state
        .conn(move |_, conn| {
            let dir = private_dir().map_err(kiban_app::AppError::from)?;
            let path = dir.join(&name);
            let result = std::fs::write(&path, &bytes)
                .map_err(kiban_app::AppError::from)
                .and_then(|()| import_file(conn, &path, &options, &mut |_| {}));
            // The upload holds personal data: it does not outlive the request.
            let _ = std::fs::remove_dir_all(&dir);
            Ok((result?, name))
        })
        .await;
    match run {
        Ok((report, name)) => respond(
            StatusCode::OK,
            &report_page(staff.page(&state), name, report),
        ),
        Err(e) => staff.error_page(&state, "取り込めませんでした", &e),
    }
}

/// A new directory only this process's user can read.
fn private_dir() -> std::io::Result<std::path::PathBuf> {
    let random = kiban_crypto::BearerToken::random();
    let dir = std::env::temp_dir().join(format!("kiban-upload-{}", random.expose()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    Ok(dir)
}

fn report_page(page: Page, file: String, report: Report) -> ReportPage {
    let outcome = match report.outcome {
        Outcome::Committed => "取り込みました",
        Outcome::AlreadyImported => "取込済みのファイルです",
        Outcome::Rejected => "取込を中止しました",
    };
    let count = |n: u64| format!("{}行", grouped(n));
    let counts = vec![
        ("行数", count(report.rows_total)),
        ("登録", count(report.rows_inserted)),
        ("変更なし", count(report.rows_unchanged)),
        ("削除", count(report.rows_withdrawn)),
        ("エラー", count(report.rows_rejected)),
    ];
    let listed = report.issues.len() as u64;
    let issues: Vec<IssueRow> = report
        .issues
        .into_iter()
        .take(ISSUES_SHOWN)
        .map(|i| IssueRow {
            severity: if i.is_error() { "エラー" } else { "警告" },
            line: i.line,
            column: i.column,
            code: i.code,
            message: i.message_ja,
        })
        .collect();
    let more = listed - issues.len() as u64 + report.issues_omitted;
    ReportPage {
        page,
        file,
        outcome,
        summary: report.summary_ja,
        counts,
        issues,
        more,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_file_names_are_kept() {
        let ok = "HIHO_131011_ZENKEN_20261125093000.csv";
        assert_eq!(super::checked_name(ok), Some(ok));
        assert_eq!(
            super::checked_name(&format!("C:\\Users\\x\\{ok}")),
            Some(ok)
        );
        for bad in ["", "dir/", ".hidden", "a b.csv", "名前.csv"] {
            assert_eq!(super::checked_name(bad), None, "{bad}");
        }
    }
}

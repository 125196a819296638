//! ケアプランの送受信 for care managers and service offices (`/office/careplans`): the upload of
//! V4/4.1 CSV files (any number at once, 交付用登録 or 同意・確認用登録) into
//! `kiban_app::careplan::v4::register_files`, answered with its report (counts and every
//! problem with file, line, column and the Japanese message), and the office's inbox
//! (`kiban_app::careplan::inbox`: each listed person is a policy decision and an audit event),
//! each entry linking to the person's ケアプラン page. Files are read in memory only: the
//! register path takes bytes, so nothing personal is written to disk here.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::careplan::{DocKey, DraftEntry, InboxEntry, RegisterReport, Registration};
use kiban_domain::access::Timestamp;

use crate::pages::cert_view::when;
use crate::pages::office::PORTAL;
use crate::pages::session::{bad_form_token, OfficeStaff};
use crate::pages::upload::read_capped;
use crate::pages::view::{grouped, page_templates, read_failed, respond, wareki, Page};
use crate::state::{now, Shared};

/// The most the files of one upload may hold together (a month of 利用票 of a large office).
pub(crate) const MAX_UPLOAD: usize = 32 * 1024 * 1024;
pub(crate) const MAX_UPLOAD_LABEL: &str = "32MB";
/// The body limit of the upload route: the files plus the form's fields and boundaries.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD + 64 * 1024;
/// Inbox entries read for the page.
const INBOX_LIMIT: i64 = 200;
/// Problems listed on the report page; the counts stay exact.
const ISSUES_SHOWN: usize = 500;

/// One plan sent for 同意・確認 and where it stands.
pub(crate) struct DraftRow {
    insurer: String,
    insured: String,
    plan_date: String,
    status: &'static str,
    sent: String,
    answered: String,
    comment: String,
}

/// One document of the inbox.
pub(crate) struct InboxRow {
    when: String,
    insurer: String,
    insured: String,
    kind: &'static str,
    target: String,
    from_office: String,
}

#[derive(Template)]
#[template(path = "pages/office/careplans.html")]
pub(crate) struct OfficePage {
    page: Page,
    max: &'static str,
    error: Option<String>,
    inbox: Vec<InboxRow>,
    drafts: Vec<DraftRow>,
}

/// One problem of the report.
pub(crate) struct IssueRow {
    file: String,
    line: String,
    column: String,
    person: String,
    code: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "pages/office/careplan_report.html")]
pub(crate) struct ReportPage {
    page: Page,
    mode: &'static str,
    files: Vec<String>,
    counts: Vec<(&'static str, String)>,
    issues: Vec<IssueRow>,
    more: usize,
}

page_templates!(OfficePage, ReportPage);

fn at() -> Timestamp {
    Timestamp::from_millis(now().0)
}

fn inbox_row(e: InboxEntry) -> InboxRow {
    let target = match e.doc_key {
        DocKey::PlanDate(day) => wareki(day),
        DocKey::Month(m) => format!("{}分", crate::pages::careplan_sections::month_label(m)),
    };
    InboxRow {
        when: when(e.registered_at_ms),
        insurer: e.insurer.to_string(),
        insured: e.insured.to_string(),
        kind: e.kind.label(),
        target,
        from_office: e.from_office.to_string(),
    }
}

fn draft_row(d: DraftEntry) -> DraftRow {
    DraftRow {
        plan_date: wareki(d.plan_date),
        status: d.status_label,
        sent: when(d.sent_at_ms),
        answered: d.answered_at_ms.map(when).unwrap_or_default(),
        comment: d.comment,
        insurer: d.insurer.to_string(),
        insured: d.insured.to_string(),
    }
}

fn page_of(state: &Shared, office: &OfficeStaff) -> Page {
    Page::new(state, &office.browser, PORTAL).with_staff(&office.staff.staff_id)
}

/// The upload form and the inbox.
pub(crate) async fn show(State(state): State<Shared>, office: OfficeStaff) -> Response {
    with_inbox(&state, &office, StatusCode::OK, None).await
}

async fn with_inbox(
    state: &Shared,
    office: &OfficeStaff,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let page = page_of(state, office);
    let caller = office.staff.caller.clone();
    let read = state
        .conn(move |_, conn| {
            let at = at();
            let inbox = kiban_app::careplan::inbox(conn, &caller, INBOX_LIMIT, at)?;
            let drafts = kiban_app::careplan::drafts(conn, &caller, INBOX_LIMIT, at)?;
            Ok((inbox, drafts))
        })
        .await;
    let (entries, drafts) = match read {
        Ok(read) => read,
        Err(e) => return read_failed(page, &e),
    };
    let template = OfficePage {
        page,
        max: MAX_UPLOAD_LABEL,
        error,
        inbox: entries.into_iter().map(inbox_row).collect(),
        drafts: drafts.into_iter().map(draft_row).collect(),
    };
    respond(status, &template)
}

/// What the multipart form carried.
#[derive(Default)]
struct Upload {
    csrf: String,
    registration: String,
    files: Vec<(String, Vec<u8>)>,
}

/// Reads the form; `Err` is the message for the file field (too large, broken upload).
async fn read_form(mut multipart: Multipart) -> Result<Upload, String> {
    let too_large = || {
        format!("ファイルが大きすぎます。合わせて{MAX_UPLOAD_LABEL}以下になるように分けて送信してください。")
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            "ファイルを受け取れませんでした。もう一度選んで送信してください。".to_string()
        }
    };
    let mut upload = Upload::default();
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        match field.name().unwrap_or("") {
            "csrf" => upload.csrf = field.text().await.map_err(broken)?,
            "registration" => upload.registration = field.text().await.map_err(broken)?,
            "files" => {
                // Some browsers send a full path: the file's own name is the last segment.
                let name = field
                    .file_name()
                    .and_then(|n| n.rsplit(['/', '\\']).next())
                    .unwrap_or("")
                    .to_string();
                let bytes = read_capped(&mut field, &mut total, MAX_UPLOAD)
                    .await
                    .map_err(broken)?;
                if !name.is_empty() {
                    upload.files.push((name, bytes));
                }
            }
            _ => {}
        }
    }
    let oversized = total > MAX_UPLOAD;
    if oversized {
        return Err(too_large());
    }
    Ok(upload)
}

/// Registers the uploaded files and answers with the report.
pub(crate) async fn upload(
    State(state): State<Shared>,
    office: OfficeStaff,
    multipart: Multipart,
) -> Response {
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(message) => {
            return with_inbox(
                &state,
                &office,
                StatusCode::PAYLOAD_TOO_LARGE,
                Some(message),
            )
            .await
        }
    };
    if !office.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(page_of(&state, &office));
    }
    let mode = match form.registration.as_str() {
        "issue" => Registration::Issue,
        "confirm" => Registration::ForConfirmation,
        _ => {
            let message = "登録の種類（交付用登録・同意・確認用登録）を選んでください。";
            return with_inbox(
                &state,
                &office,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message.into()),
            )
            .await;
        }
    };
    if form.files.is_empty() {
        let message = "送信するファイルを選んでください。";
        return with_inbox(
            &state,
            &office,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message.into()),
        )
        .await;
    }
    let names: Vec<String> = form.files.iter().map(|(n, _)| n.clone()).collect();
    let caller = office.staff.caller.clone();
    let files = form.files;
    let run = state
        .conn(move |_, conn| {
            Ok(kiban_app::careplan::v4::register_files(
                conn,
                &caller,
                files,
                mode,
                at(),
            )?)
        })
        .await;
    let page = page_of(&state, &office);
    match run {
        Ok(report) => respond(StatusCode::OK, &report_page(page, mode, names, report)),
        Err(e) => read_failed(page, &e),
    }
}

fn report_page(
    page: Page,
    mode: Registration,
    files: Vec<String>,
    report: RegisterReport,
) -> ReportPage {
    let count = |n: u64, unit: &str| format!("{}{unit}", grouped(n));
    let counts = vec![
        ("登録した利用者", count(report.persons_registered, "人")),
        ("登録した書類", count(report.documents_registered, "件")),
        ("登録しなかった利用者", count(report.persons_refused, "人")),
        ("エラー", count(report.issues.len() as u64, "件")),
    ];
    let listed = report.issues.len();
    let issues: Vec<IssueRow> = report
        .issues
        .into_iter()
        .take(ISSUES_SHOWN)
        .map(|i| IssueRow {
            file: i.source,
            line: if i.line == 0 {
                "－".into()
            } else {
                format!("{}行目", i.line)
            },
            column: match (i.column_no, i.column.is_empty()) {
                (0, true) => "－".into(),
                (0, false) => i.column,
                (n, true) => format!("{n}列目"),
                (n, false) => format!("{n}列目（{}）", i.column),
            },
            person: if i.insured.is_empty() {
                "－".into()
            } else {
                format!("{}・{}", i.insurer, i.insured)
            },
            code: i.code,
            message: i.message_ja,
        })
        .collect();
    ReportPage {
        page,
        mode: match mode {
            Registration::Issue => "交付用登録",
            Registration::ForConfirmation => "同意・確認用登録",
        },
        files,
        counts,
        more: listed - issues.len(),
        issues,
    }
}

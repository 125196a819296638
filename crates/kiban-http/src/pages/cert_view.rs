//! 要介護認定 pages share this: an application's progress ([`ApplicationView`]) as Japanese
//! lines (申請区分, 申請日 and 期限 in 和暦, the status and each step with its JST time), the
//! refusal shown in its place, and the municipal purpose form of the certification pages.

use kiban_app::certification::ApplicationView;
use kiban_domain::access::Timestamp;
use kiban_domain::certification::Extension;

use crate::pages::municipal::{purpose_options, PurposeOption};
use crate::pages::view::wareki;

/// One recorded step: when (JST), what, and the status after it.
pub(crate) struct StepLine {
    pub when: String,
    pub label: String,
    pub status: String,
}

/// An application as the pages show it.
pub(crate) struct AppShown {
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    pub kind: String,
    pub applied_on: String,
    pub status: String,
    pub due_on: String,
    /// 処理延期: "理由（通知日 …）", when the deadline was extended.
    pub extension: Option<String>,
    pub steps: Vec<StepLine>,
}

impl AppShown {
    pub fn of(view: &ApplicationView) -> Self {
        Self {
            id: view.id,
            insurer: view.insurer.clone(),
            insured: view.insured.clone(),
            kind: view.kind.label().to_string(),
            applied_on: wareki(view.applied_on),
            status: view.status_label.clone(),
            due_on: wareki(view.due_on),
            extension: view
                .extension
                .clone()
                .and_then(|v| serde_json::from_value::<Extension>(v).ok())
                .map(|e| {
                    format!(
                        "{}（{}に通知、処理見込日 {}）",
                        e.reason,
                        wareki(e.notified_on),
                        wareki(e.expected_on)
                    )
                }),
            steps: view
                .steps
                .iter()
                .map(|s| StepLine {
                    when: when(s.at_ms),
                    label: s.event.label().to_string(),
                    status: s.status_after.label().to_string(),
                })
                .collect(),
        }
    }
}

/// What a progress page shows: the application, or the refusal with its reason code.
pub(crate) enum Progress {
    Shown(AppShown),
    Refused { code: String, message: String },
}

/// The 利用目的 a municipal certification page asks for (required; the policy decides with it).
pub(crate) struct PurposeField {
    pub options: Vec<PurposeOption>,
    pub error: Option<&'static str>,
}

impl PurposeField {
    pub fn new(chosen: &str, error: Option<&'static str>) -> Self {
        Self {
            options: purpose_options(chosen),
            error,
        }
    }
}

/// "令和8年11月25日 14:05" (JST).
pub(crate) fn when(at_ms: i64) -> String {
    let at = Timestamp::from_millis(at_ms);
    let minutes = (at_ms + 9 * 3_600_000).rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        wareki(at.jst_date()),
        minutes / 60,
        minutes % 60
    )
}

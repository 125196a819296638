//! 処分期限: 介護保険法27条11項 requires the decision within 30 days of the 申請日, unless the
//! municipality sends a 処理延期通知 giving the reason and the expected date (facts.md §3; the
//! FY2023 average was 40.8 days, so the extension is the common case and must be recorded).
//!
//! Counting: the 申請日 itself is not counted (民法140条, 初日不算入), so the due date is
//! `applied_on + 30 days`; no calendar-month arithmetic is involved.

use crate::date::Date;
use serde::{Deserialize, Serialize};

/// Days from the 申請日 to the legal due date.
pub const DECISION_DAYS: i64 = 30;

/// Why a 処理延期 was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("処理延期の理由が空です / the extension needs a reason")]
    EmptyReason,
    #[error("処理延期の通知日{notified_on}が申請日{applied_on}より前です / notice date {notified_on} is before the application day {applied_on}")]
    NoticeBeforeApplication { notified_on: Date, applied_on: Date },
    #[error("処理延期の通知日{notified_on}が本来の期限{due_on}より後です / notice date {notified_on} is after the original due date {due_on}")]
    NoticeAfterDue { notified_on: Date, due_on: Date },
    #[error("処理見込日{expected_on}が本来の期限{due_on}より後ではありません / expected date {expected_on} is not after the original due date {due_on}")]
    ExpectedNotAfterDue { expected_on: Date, due_on: Date },
    #[error(
        "処理延期は既に通知されています（見込日{expected_on}） / already extended to {expected_on}"
    )]
    AlreadyExtended { expected_on: Date },
}

/// 処理延期: the notice sent to the applicant within the original 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// 延期の理由 (e.g. 主治医意見書の提出遅延), as written in the notice.
    pub reason: String,
    /// 通知日.
    pub notified_on: Date,
    /// 処理見込期日.
    pub expected_on: Date,
}

/// The deadline of one application. Fields are private so that a held value always satisfies
/// the extension rules; deserialising re-checks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDeadline", into = "RawDeadline")]
pub struct Deadline {
    applied_on: Date,
    due_on: Date,
    extension: Option<Extension>,
}

#[derive(Serialize, Deserialize)]
struct RawDeadline {
    applied_on: Date,
    due_on: Date,
    extension: Option<Extension>,
}

impl From<Deadline> for RawDeadline {
    fn from(d: Deadline) -> Self {
        Self {
            applied_on: d.applied_on,
            due_on: d.due_on,
            extension: d.extension,
        }
    }
}

impl TryFrom<RawDeadline> for Deadline {
    type Error = String;
    fn try_from(raw: RawDeadline) -> Result<Self, String> {
        let base = Deadline::new(raw.applied_on);
        if base.due_on != raw.due_on {
            return Err(format!(
                "期限{}は申請日{}の30日後ではありません / due date {} is not 30 days after {}",
                raw.due_on, raw.applied_on, raw.due_on, raw.applied_on
            ));
        }
        match raw.extension {
            None => Ok(base),
            Some(ext) => base
                .extend(ext.reason, ext.notified_on, ext.expected_on)
                .map_err(|e| e.to_string()),
        }
    }
}

impl Deadline {
    /// The deadline of an application received on `applied_on`.
    pub fn new(applied_on: Date) -> Self {
        Self {
            applied_on,
            due_on: applied_on.add_days(DECISION_DAYS),
            extension: None,
        }
    }

    /// Records the 処理延期. The notice must reach the applicant before the original period
    /// runs out, and an "extension" to a date within it would mean nothing. A second extension
    /// is refused: the statute knows one notice [decision; re-extension practice unverified].
    pub fn extend(
        self,
        reason: impl Into<String>,
        notified_on: Date,
        expected_on: Date,
    ) -> Result<Self, DeadlineError> {
        if let Some(ext) = &self.extension {
            return Err(DeadlineError::AlreadyExtended {
                expected_on: ext.expected_on,
            });
        }
        let reason = reason.into();
        if reason.trim().is_empty() {
            return Err(DeadlineError::EmptyReason);
        }
        if notified_on < self.applied_on {
            return Err(DeadlineError::NoticeBeforeApplication {
                notified_on,
                applied_on: self.applied_on,
            });
        }
        if notified_on > self.due_on {
            return Err(DeadlineError::NoticeAfterDue {
                notified_on,
                due_on: self.due_on,
            });
        }
        if expected_on <= self.due_on {
            return Err(DeadlineError::ExpectedNotAfterDue {
                expected_on,
                due_on: self.due_on,
            });
        }
        Ok(Self {
            extension: Some(Extension {
                reason,
                notified_on,
                expected_on,
            }),
            ..self
        })
    }

    pub fn applied_on(&self) -> Date {
        self.applied_on
    }

    /// The legal due date (申請日 + 30 days), regardless of any extension.
    pub fn due_on(&self) -> Date {
        self.due_on
    }

    pub fn extension(&self) -> Option<&Extension> {
        self.extension.as_ref()
    }

    /// The date the decision is owed: the 処理見込期日 when extended, else the legal due date.
    pub fn effective_due(&self) -> Date {
        self.extension
            .as_ref()
            .map_or(self.due_on, |e| e.expected_on)
    }

    /// Overdue once `today` is past the effective due date, unless the application has ended
    /// (`terminal`: 認定, 却下, 取下げ); the caller passes `Progress::is_terminal()`.
    pub fn is_overdue(&self, today: Date, terminal: bool) -> bool {
        !terminal && today > self.effective_due()
    }

    /// Days until the effective due date: 0 on the due date, negative once overdue.
    pub fn days_left(&self, today: Date) -> i64 {
        self.effective_due().to_days() - today.to_days()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn due_date_is_thirty_days_later_across_month_and_year_ends() {
        for (applied, due) in [
            ("20260131", "20260302"),
            ("20261215", "20270114"),
            ("20280131", "20280301"),
            ("20270228", "20270330"),
            ("20260401", "20260501"),
        ] {
            assert_eq!(Deadline::new(d(applied)).due_on(), d(due), "{applied}");
        }
    }

    #[test]
    fn overdue_and_days_left() {
        let dl = Deadline::new(d("20260131"));
        assert_eq!(dl.days_left(d("20260131")), 30);
        assert_eq!(dl.days_left(d("20260302")), 0);
        assert!(!dl.is_overdue(d("20260302"), false));
        assert!(dl.is_overdue(d("20260303"), false));
        assert_eq!(dl.days_left(d("20260303")), -1);
        assert!(
            !dl.is_overdue(d("20260303"), true),
            "a closed application is never overdue"
        );
    }

    #[test]
    fn extension_moves_the_effective_due_date() {
        let dl = Deadline::new(d("20260131"))
            .extend("主治医意見書の提出遅延", d("20260302"), d("20260320"))
            .unwrap();
        assert_eq!(dl.due_on(), d("20260302"));
        assert_eq!(dl.effective_due(), d("20260320"));
        assert!(!dl.is_overdue(d("20260310"), false));
        assert!(dl.is_overdue(d("20260321"), false));
        assert_eq!(dl.days_left(d("20260310")), 10);
    }

    #[test]
    fn extension_errors() {
        let dl = Deadline::new(d("20260131"));
        let due = d("20260302");
        assert_eq!(
            dl.clone().extend("  ", d("20260220"), d("20260320")),
            Err(DeadlineError::EmptyReason)
        );
        assert_eq!(
            dl.clone().extend("遅延", d("20260303"), d("20260320")),
            Err(DeadlineError::NoticeAfterDue {
                notified_on: d("20260303"),
                due_on: due
            })
        );
        assert_eq!(
            dl.clone().extend("遅延", d("20260220"), due),
            Err(DeadlineError::ExpectedNotAfterDue {
                expected_on: due,
                due_on: due
            })
        );
        assert!(matches!(
            dl.clone().extend("遅延", d("20260130"), d("20260320")),
            Err(DeadlineError::NoticeBeforeApplication { .. })
        ));
        let once = dl.extend("遅延", d("20260220"), d("20260320")).unwrap();
        assert!(matches!(
            once.extend("再延期", d("20260310"), d("20260331")),
            Err(DeadlineError::AlreadyExtended { .. })
        ));
    }

    #[test]
    fn messages_are_bilingual() {
        let msg = DeadlineError::EmptyReason.to_string();
        assert!(msg.contains("理由") && msg.contains(" / ") && msg.contains("reason"));
    }

    #[test]
    fn deserialising_rechecks_the_due_date() {
        use serde::de::value::{Error, MapDeserializer};
        use serde::Deserialize;
        let read = |due: &'static str| {
            let pairs = [("applied_on", "20260131"), ("due_on", due)];
            Deadline::deserialize(MapDeserializer::<_, Error>::new(pairs.into_iter()))
        };
        assert_eq!(read("20260302").unwrap(), Deadline::new(d("20260131")));
        let err = read("20260301").unwrap_err().to_string();
        assert!(err.contains("30"), "{err}");
    }
}

//! Notices to offices: a server-sent event stream (`GET /api/v1/certification/events`) that
//! tells a 居宅介護支援事業所 when an application it is registered for (計画作成依頼届出)
//! moves on — above all when the 認定 is decided.
//!
//! Why a stream and not a webhook: offices sit behind NAT on office PCs and have no endpoint a
//! platform could call; an SSE connection is outbound from the office, over the same mutual-TLS
//! connection and token as the API, and needs nothing but HTTP.
//!
//! **No personal data in the stream.** A notice carries the application id, the new status
//! code and the time, nothing else. To see whose application it is and what was decided, the
//! office reads the progress through the API, which asks the access policy and is audited —
//! so the person's history shows every office that looked, and a revoked consent stops the
//! reading even while the stream stays open.
//!
//! Delivery is in-process (one `kiban serve`): a second server process on the same
//! PostgreSQL database would need LISTEN/NOTIFY to share notices, which is not built. A
//! subscriber that falls more than [`BACKLOG`] notices behind is told to re-read (`lagged`).

use axum::response::sse::{Event, KeepAlive, Sse};
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

/// Notices kept for slow subscribers.
pub const BACKLOG: usize = 1024;

/// One change of an application, for the office registered on it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notice {
    /// The 居宅介護支援事業所 the notice is for (never sent to the subscriber: it is the filter).
    #[serde(skip)]
    pub office: String,
    pub application_id: i64,
    /// The application's status code after the change.
    pub status: String,
    pub at_ms: i64,
}

/// The broadcast channel of notices.
pub struct Notices {
    sender: broadcast::Sender<Notice>,
}

impl Default for Notices {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Notices {
    /// Sends `notice` to the subscribers of its office (none listening is fine).
    pub fn publish(&self, notice: Notice) {
        let _ = self.sender.send(notice);
    }

    /// The SSE response for `office`: its notices as `event: certification` with the JSON
    /// notice as data, a `lagged` event when some were dropped, and a keep-alive comment every
    /// 15 s so proxies keep the connection open.
    pub fn stream(
        &self,
        office: String,
    ) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
        let receiver = self.sender.subscribe();
        let events =
            futures_util::stream::unfold((receiver, office), |(mut receiver, office)| async move {
                loop {
                    match receiver.recv().await {
                        Ok(notice) if notice.office == office => {
                            let event = Event::default()
                                .event("certification")
                                .id(notice.at_ms.to_string())
                                .json_data(&notice)
                                .unwrap_or_else(|_| Event::default().event("error"));
                            return Some((Ok(event), (receiver, office)));
                        }
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            let event = Event::default().event("lagged").data(missed.to_string());
                            return Some((Ok(event), (receiver, office)));
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            });
        Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    }
}

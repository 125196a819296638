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
//! Several servers on one PostgreSQL database deliver to each other's subscribers: a notice is
//! handed to this server's subscribers at once and sent to the others through PostgreSQL
//! (`kiban_app::cluster`, channel `kiban_notices`), whose listener hands it to theirs; a server
//! ignores its own notices coming back. A subscriber that falls more than [`BACKLOG`] notices
//! behind is told to re-read (`lagged`).

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

/// A notice between servers: the notice, the office it is for, and the server that sent it.
#[derive(Debug, Serialize, serde::Deserialize)]
struct Wire {
    origin: String,
    office: String,
    application_id: i64,
    status: String,
    at_ms: i64,
}

/// The broadcast channel of notices.
pub struct Notices {
    sender: broadcast::Sender<Notice>,
    /// This server among the servers of one database (random at start).
    origin: String,
    /// Whether other servers share the database (PostgreSQL) and are sent each notice.
    shared: bool,
}

impl Notices {
    pub fn new(shared: bool) -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            origin: hex::encode(rand::random::<[u8; 8]>()),
            shared,
        }
    }
}

impl Notices {
    /// Sends `notice` to this server's subscribers of its office (none listening is fine).
    pub fn publish(&self, notice: Notice) {
        let _ = self.sender.send(notice);
    }

    /// The text sent to the other servers for `notice`.
    pub(crate) fn wire(&self, notice: &Notice) -> String {
        serde_json::to_string(&Wire {
            origin: self.origin.clone(),
            office: notice.office.clone(),
            application_id: notice.application_id,
            status: notice.status.clone(),
            at_ms: notice.at_ms,
        })
        .expect("a notice serialises")
    }

    /// A notice another server sent: handed to this server's subscribers (its own, which
    /// this server already delivered, and anything unreadable are dropped).
    pub(crate) fn received(&self, payload: &str) {
        let Ok(wire) = serde_json::from_str::<Wire>(payload) else {
            return;
        };
        if wire.origin != self.origin {
            self.publish(Notice {
                office: wire.office,
                application_id: wire.application_id,
                status: wire.status,
                at_ms: wire.at_ms,
            });
        }
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

/// Hands `notice` to this server's subscribers and sends it to the other servers of the
/// database. The change it tells of is committed already, so a failure to send is reported
/// and the request still succeeds.
pub(crate) async fn announce(state: &crate::state::Shared, notice: Notice) {
    let payload = state.notices.wire(&notice);
    state.notices.publish(notice);
    if !state.notices.shared {
        return;
    }
    let sent = state
        .conn(move |_, conn| Ok(kiban_app::cluster::publish_notice(conn, &payload)?))
        .await;
    if let Err(e) = sent {
        eprintln!(
            "kiban-http: a notice was not sent to the other servers: {}",
            e.code.code()
        );
    }
}

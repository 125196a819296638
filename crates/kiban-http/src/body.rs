//! Request bodies: every request's body is read to its end before the answer leaves, and an API
//! body over its route's limit is a 413 `PAYLOAD_TOO_LARGE` in the error envelope.
//!
//! Why read what nobody needs: a handler that refuses early (no token, a malformed document, a
//! body over the limit) drops the rest of the body. Over HTTP/2 hyper then resets the stream
//! (RST_STREAM) while the client may still be sending, and many clients (curl, httpx, browsers
//! under load) throw the answer away with the stream; over HTTP/1.1 the connection is closed
//! under a client still writing. Reading the remainder first (discarding it, never holding it)
//! makes every answer arrive whole. The reading is bounded ([`DRAIN_LIMIT`] bytes,
//! [`DRAIN_TIME`]): a client sending more than that loses its answer, which is then its own
//! doing and costs the server nothing but the bytes read.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;

use crate::error::{ApiError, ErrorCode};

/// The body limit of an API route that takes no file (axum's default until now).
pub const API_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The body limit of the API's upload routes (ケアプラン V4/V5, the corporation registry): the
/// care office page's 32 MB of files, base64-encoded in JSON (4/3), with room for the JSON.
pub const API_UPLOAD_BODY_LIMIT: usize = 44 * 1024 * 1024;
/// The API routes that take files.
const UPLOAD_ROUTES: &[&str] = &[
    "/api/v1/careplans/v4",
    "/api/v1/careplans/v5",
    "/api/v1/municipal/corporations",
];

/// At most this much of a body nobody reads is read and dropped before answering.
pub const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// ... and for at most this long.
const DRAIN_TIME: Duration = Duration::from_secs(30);

/// The body limit of the API route at `path` (the route's template or the request's path: the
/// upload routes have no parameters).
pub fn api_body_limit(path: &str) -> usize {
    if UPLOAD_ROUTES.contains(&path) {
        API_UPLOAD_BODY_LIMIT
    } else {
        API_BODY_LIMIT
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The middleware around the whole router (API and pages).
pub(crate) async fn read_to_end(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if is_api(path) {
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let limit = api_body_limit(path);
        if declared.is_some_and(|n| n > limit as u64) {
            drain(request.into_body(), 0).await;
            return too_large(limit);
        }
    }
    let (parts, body) = request.into_parts();
    let slot = Arc::new(Mutex::new(Some(body)));
    let shared = SharedBody {
        slot: Arc::clone(&slot),
        read: Arc::new(AtomicU64::new(0)),
    };
    let read = Arc::clone(&shared.read);
    let response = next
        .run(Request::from_parts(parts, Body::new(shared)))
        .await;
    let rest = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(rest) = rest {
        let already = read.load(Ordering::Relaxed);
        drain(rest, already).await;
    }
    response
}

/// The 413 of an API body over `limit`.
pub(crate) fn too_large(limit: usize) -> Response {
    ApiError::with_detail(
        ErrorCode::PayloadTooLarge,
        format!("the limit of this route is {limit} bytes"),
    )
    .into_response()
}

/// Reads and drops what is left of `body`, `already` bytes having been read.
async fn drain(mut body: Body, already: u64) {
    let work = async {
        let mut read = already;
        while read <= DRAIN_LIMIT {
            match body.frame().await {
                Some(Ok(frame)) => {
                    read += frame.data_ref().map_or(0, |d| d.len() as u64);
                }
                Some(Err(_)) | None => return,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, work).await;
}

/// The request's body as handlers see it; what they leave unread stays in the slot for
/// [`read_to_end`].
struct SharedBody {
    slot: Arc<Mutex<Option<Body>>>,
    read: Arc<AtomicU64>,
}

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(body) = slot.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.read.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |b| b.size_hint())
    }
}

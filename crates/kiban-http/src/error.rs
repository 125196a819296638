//! The one table of API error codes, and the JSON envelope every response uses.
//!
//! ```text
//! success         200  {"ok": true,  "data": …}
//! business error  200  {"ok": false, "error": {"code", "message_ja", "message_en"}}
//! system error    4xx/5xx with the same "error" object
//! ```
//!
//! **Business errors are HTTP 200**, as in the national 介護保険資格確認等WEBサービス ("Business
//! errors return HTTP 200 with an error in the JSON body"): the request was understood,
//! authenticated and processed, and the platform's answer is a refusal — the access policy's
//! reason codes (`NOT_SERVING`, `CONSENT_REVOKED`, …, see `docs/access-policy.md`) and the card
//! checks at enrolment. Clients tell the two apart by `ok` alone and never need to parse the
//! status to learn that a person's consent was revoked. **System errors** (the request itself is
//! malformed, unauthenticated or cannot be served) use the HTTP status of [`ErrorCode`]:
//! 400, 401, 403, 404, 405, 413, 429 (a throttled login), 500 or 503.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

macro_rules! error_codes {
    ($($(#[$meta:meta])* $variant:ident = $code:literal, $status:literal, $ja:literal, $en:literal;)*) => {
        /// A system error: stable code, HTTP status and messages, all in one place.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($(#[$meta])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            pub fn status(self) -> StatusCode {
                let status: u16 = match self { $(Self::$variant => $status,)* };
                StatusCode::from_u16(status).expect("the table holds valid statuses")
            }

            pub fn message_ja(self) -> &'static str {
                match self { $(Self::$variant => $ja,)* }
            }

            pub fn message_en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }
        }
    };
}

error_codes! {
    BadRequest = "BAD_REQUEST", 400,
        "リクエストの形式が不正です", "the request is malformed";
    InvalidPerson = "INVALID_PERSON", 400,
        "保険者番号または被保険者番号が不正です", "invalid insurer or insured number";
    InvalidParameter = "INVALID_PARAMETER", 400,
        "パラメータの値が不正です", "a parameter has an invalid value";
    InvalidPathParameter = "INVALID_PATH_PARAMETER", 400,
        "URL のパラメータが不正です（数値や文字コードを確認してください）",
        "a path parameter is malformed (not a number, not UTF-8, …)";
    PurposeRequired = "PURPOSE_REQUIRED", 400,
        "保険者職員は利用目的（X-Kiban-Purpose ヘッダ）を指定してください",
        "municipal staff must state the purpose (X-Kiban-Purpose header)";
    PurposeInvalid = "PURPOSE_INVALID", 400,
        "X-Kiban-Purpose ヘッダの値が利用目的のコードではありません",
        "the X-Kiban-Purpose header is not a purpose code";
    ClientCertificateRequired = "CLIENT_CERTIFICATE_REQUIRED", 401,
        "クライアント証明書（事業所・医療機関・職員端末）が必要です",
        "a client certificate (office, medical institution or staff device) is required";
    ClientCertificateRejected = "CLIENT_CERTIFICATE_REJECTED", 401,
        "クライアント証明書が無効です（期限切れ・失効・発行元不明など）",
        "the client certificate is not valid (expired, revoked, foreign, …)";
    Unauthenticated = "UNAUTHENTICATED", 401,
        "認証トークンがないか、無効または期限切れです",
        "the bearer token is missing, invalid or expired";
    LoginFailed = "LOGIN_FAILED", 401,
        "ID・パスワード・ワンタイムコードのいずれかが違います",
        "wrong ID, password or one-time code";
    LoginThrottled = "LOGIN_THROTTLED", 429,
        "ログインの失敗が続いたため、しばらく待ってからお試しください（Retry-After）",
        "too many failed logins: wait before trying again (Retry-After)";
    AccountLocked = "ACCOUNT_LOCKED", 401,
        "ログインの失敗が続いたためアカウントがロックされています",
        "the account is locked after repeated failures";
    AccountInactive = "ACCOUNT_INACTIVE", 403,
        "このアカウントは無効です", "the account is inactive";
    CertificateOfficeMismatch = "CERTIFICATE_OFFICE_MISMATCH", 403,
        "クライアント証明書がこのアカウントのもの（事業所・医療機関・職員）ではありません",
        "the client certificate names another office, institution or staff account than the account";
    OfficeNotRegistered = "OFFICE_NOT_REGISTERED", 403,
        "事業所が登録されていないか、無効です",
        "the office is not registered or is inactive";
    ChallengeRejected = "CHALLENGE_REJECTED", 401,
        "チャレンジが無効です（不明・期限切れ・使用済み）",
        "the challenge is unknown, expired or already used";
    CardRejected = "CARD_REJECTED", 401,
        "カードの証明書または署名を検証できません",
        "the card certificate or signature does not verify";
    CardNotLinked = "CARD_NOT_LINKED", 401,
        "このカードは被保険者と紐付けられていません",
        "the card is not linked to an insured person";
    NoticesOfficeOnly = "NOTICES_OFFICE_ONLY", 403,
        "通知は事業所の職員だけが受け取れます",
        "only office staff receive certification notices";
    NotFound = "NOT_FOUND", 404,
        "指定された API はありません", "no such API route";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405,
        "この API はこのメソッドを受け付けません（Allow ヘッダを参照）",
        "the route does not take this method (see the Allow header)";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", 413,
        "リクエストの本文が大きすぎます", "the request body is over the route's limit";
    Internal = "INTERNAL_ERROR", 500,
        "サーバ内部でエラーが発生しました", "internal server error";
    Unavailable = "SERVICE_UNAVAILABLE", 503,
        "サービスが一時的に利用できません", "the service is temporarily unavailable";
    StorageFull = "STORAGE_FULL", 503,
        "保存領域が不足しているため処理できません（何も記録されていません）。時間をおいて再度お試しください",
        "the server's storage is full: nothing was recorded; try again later";
}

/// The `error` object of every refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    /// A safe explanation (never personal data, credentials or certificates), when useful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ErrorBody>,
}

/// A system error (HTTP 4xx/5xx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, detail: None }
    }

    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.code().to_string(),
            message_ja: self.code.message_ja().to_string(),
            message_en: self.code.message_en().to_string(),
            detail: self.detail.clone(),
        }
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

impl From<kiban_app::AppError> for ApiError {
    fn from(e: kiban_app::AppError) -> Self {
        // Store errors carry the backend's text only, never personal data values.
        eprintln!("kiban-http: {e}");
        // A read whose audit event cannot be written is refused, never answered unaudited; on
        // a full disk that is temporary, and the client may retry.
        if e.is_disk_full() {
            return Self::new(ErrorCode::StorageFull);
        }
        // The database is unreachable, the connection was lost (its replacement is opened for
        // the next request) or a statement or lock wait ran out of time: nothing was
        // committed, and a retry may succeed.
        if e.is_temporary() {
            return Self::new(ErrorCode::Unavailable);
        }
        Self::new(ErrorCode::Internal)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let envelope: Envelope<'_, ()> = Envelope {
            ok: false,
            data: None,
            error: Some(&body),
        };
        let status = self.code.status();
        let mut response = (status, Json(envelope)).into_response();
        // Every 503 is temporary: say when to try again.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

/// The answer of a business operation: data, or a refusal delivered as HTTP 200.
#[derive(Debug)]
pub enum Reply<T> {
    Ok(T),
    Refused(ErrorBody),
}

impl<T> Reply<T> {
    pub fn refused(code: impl Into<String>, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Refused(ErrorBody {
            code: code.into(),
            message_ja: ja.into(),
            message_en: en.into(),
            detail: None,
        })
    }
}

impl<T> Reply<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        match self {
            Self::Ok(t) => Reply::Ok(f(t)),
            Self::Refused(e) => Reply::Refused(e),
        }
    }
}

impl<T> From<kiban_app::access::Outcome<T>> for Reply<T> {
    fn from(outcome: kiban_app::access::Outcome<T>) -> Self {
        match outcome {
            kiban_app::access::Outcome::Allowed(t) => Self::Ok(t),
            kiban_app::access::Outcome::Denied(d) => {
                Self::refused(d.reason, d.message_ja, d.message_en)
            }
        }
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let (data, error) = match &self {
            Reply::Ok(t) => (Some(t), None),
            Reply::Refused(e) => (None, Some(e)),
        };
        let envelope = Envelope {
            ok: error.is_none(),
            data,
            error,
        };
        (StatusCode::OK, Json(envelope)).into_response()
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<Reply<T>, ApiError>;

/// Every code the API can return, for the OpenAPI document (its `ErrorBody.code` enum) and docs:
/// (code, HTTP status, 日本語, English). Built from the three tables that exist — [`ErrorCode`],
/// the access policy's reasons and the use cases' refusals (`kiban_app::refusal`) — and from
/// nothing else, so a new code cannot be answered without being documented.
pub fn error_table() -> Vec<(&'static str, u16, &'static str, &'static str)> {
    let mut rows: Vec<_> = ErrorCode::ALL
        .iter()
        .map(|c| {
            (
                c.code(),
                c.status().as_u16(),
                c.message_ja(),
                c.message_en(),
            )
        })
        .collect();
    for r in kiban_domain::access::Reason::ALL
        .iter()
        .filter(|r| !r.is_allow())
    {
        rows.push((r.code(), 200, r.message_ja(), r.message_en()));
    }
    rows.extend(
        kiban_app::refusal::REFUSALS
            .iter()
            .map(|&(code, ja, en)| (code, 200, ja, en)),
    );
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_are_the_documented_ones() {
        let table = error_table();
        let mut codes: Vec<_> = table.iter().map(|r| r.0).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), before, "an error code appears twice");
        for (code, status, ja, en) in table {
            assert!(
                [200, 400, 401, 403, 404, 405, 413, 429, 500, 503].contains(&status),
                "{code}"
            );
            assert!(!ja.is_empty() && !en.is_empty(), "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
    }

    #[test]
    fn business_refusals_are_http_200_with_ok_false() {
        let reply: Reply<()> = Reply::refused("CONSENT_REVOKED", "撤回", "revoked");
        let response = reply.into_response();
        assert_eq!(response.status(), StatusCode::OK);
        let error = ApiError::new(ErrorCode::Unauthenticated).into_response();
        assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
    }
}

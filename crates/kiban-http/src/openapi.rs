//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, built in code from one table of
//! operations ([`OPERATIONS`]) and the error table ([`crate::error::error_table`]). A test
//! checks that every route of the router ([`crate::routes::ROUTES`]) is documented here and
//! nothing else is.

mod careplan;
mod certification;
pub mod formats;
mod schemas;

use schemas::schemas;
use serde_json::{json, Map, Value};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    None,
    /// Staff bearer token; office and medical staff over a client certificate of their office.
    Staff,
    /// Citizen bearer token from a card login.
    Citizen,
    /// Office and medical staff: a client certificate (municipal staff and operators: none).
    ClientCertificate,
    /// A staff bearer token alone: the session ending itself reads no purpose and no device.
    StaffToken,
}

/// The form of a query parameter, as the handler's `QueryParams` reads it.
#[derive(Debug, Clone, Copy)]
pub enum QuerySchema {
    /// An integer within the handler's range (the Rust type's, or the one it checks).
    Int { min: i64, max: u64 },
    /// A string of this pattern ([`formats`]).
    Pattern(&'static str),
    /// A date as `Date::parse_any` reads it ([`formats::date_any`]).
    Date,
}

/// A query parameter the handler cannot do without.
pub(crate) const fn required(
    name: &'static str,
    description: &'static str,
    schema: QuerySchema,
) -> Query {
    Query {
        required: true,
        ..query(name, description, schema)
    }
}

/// A query parameter.
pub struct Query {
    pub name: &'static str,
    pub description: &'static str,
    pub required: bool,
    pub schema: QuerySchema,
}

pub(crate) const fn query(
    name: &'static str,
    description: &'static str,
    schema: QuerySchema,
) -> Query {
    Query {
        name,
        description,
        required: false,
        schema,
    }
}

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    pub request: Option<&'static str>,
    /// Schema of `data` in a successful response.
    pub response: &'static str,
    /// Query parameters.
    pub query: &'static [Query],
}

const fn op(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    auth: Auth,
    request: Option<&'static str>,
    response: &'static str,
) -> Operation {
    Operation {
        method,
        path,
        tag,
        summary,
        auth,
        request,
        response,
        query: &[],
    }
}

pub const OPERATIONS: &[Operation] = &[
    op(
        "get",
        "/api/v1/health",
        "system",
        "死活監視 / liveness (the bare route)",
        Auth::None,
        None,
        "Health",
    ),
    op(
        "get",
        "/api/v1/openapi.json",
        "system",
        "この文書 / this OpenAPI document",
        Auth::None,
        None,
        "Object",
    ),
    op(
        "post",
        "/api/v1/staff/login",
        "staff",
        "職員ログイン（ID・パスワード・TOTP）/ staff login",
        Auth::ClientCertificate,
        Some("LoginRequest"),
        "Tokens",
    ),
    op(
        "post",
        "/api/v1/staff/refresh",
        "staff",
        "トークン更新 / exchange a refresh token (once)",
        Auth::ClientCertificate,
        Some("RefreshRequest"),
        "Tokens",
    ),
    op(
        "post",
        "/api/v1/staff/logout",
        "staff",
        "ログアウト / revoke the session",
        Auth::StaffToken,
        None,
        "Done",
    ),
    op(
        "get",
        "/api/v1/persons/{insurer}/{insured}/qualification",
        "qualification",
        "資格確認 / current certificates and remaining allowances",
        Auth::Staff,
        None,
        "QualificationSummary",
    ),
    op(
        "post",
        "/api/v1/persons/{insurer}/{insured}/enrolment",
        "qualification",
        "担当事業所登録と同意 / register as serving office and record consent",
        Auth::Staff,
        Some("EnrolmentRequest"),
        "Enrolled",
    ),
    op(
        "post",
        "/api/v1/persons/{insurer}/{insured}/serving/end",
        "qualification",
        "担当関係の終了（事業所）/ the office ends its serving relationship",
        Auth::Staff,
        None,
        "Ended",
    ),
    op(
        "post",
        "/api/v1/persons/{insurer}/confirm",
        "qualification",
        "カードなしの資格確認（基本4情報・被保険者番号＋生年月日）/ identify a person without the card",
        Auth::Staff,
        Some("ConfirmRequest"),
        "ConfirmedPerson",
    ),
    op(
        "post",
        "/api/v1/card/challenge",
        "citizen",
        "カード用チャレンジ / one-time card challenge",
        Auth::None,
        None,
        "Challenge",
    ),
    op(
        "post",
        "/api/v1/card/login",
        "citizen",
        "カードでログイン / card login",
        Auth::None,
        Some("CardLoginRequest"),
        "CitizenToken",
    ),
    op(
        "post",
        "/api/v1/me/logout",
        "citizen",
        "ログアウト / end the citizen session",
        Auth::Citizen,
        None,
        "Done",
    ),
    Operation {
        query: &[
            query(
                "before",
                "前ページの next_before / next_before of the previous page",
                QuerySchema::Int {
                    min: 0,
                    max: u64::MAX,
                },
            ),
            query(
                "limit",
                "1–500 (既定 50 / default 50)",
                QuerySchema::Int { min: 1, max: 500 },
            ),
        ],
        ..op(
            "get",
            "/api/v1/me/history",
            "citizen",
            "やりとり履歴 / who accessed my data, newest first",
            Auth::Citizen,
            None,
            "HistoryPage",
        )
    },
    op(
        "get",
        "/api/v1/me/data",
        "citizen",
        "自分の情報の一括取得 / download all my data",
        Auth::Citizen,
        None,
        "MyData",
    ),
    op(
        "get",
        "/api/v1/me/consents",
        "citizen",
        "同意の一覧 / my consents",
        Auth::Citizen,
        None,
        "ConsentList",
    ),
    op(
        "post",
        "/api/v1/me/servings/{office}/end",
        "citizen",
        "担当関係の終了（本人）/ end an office's serving relationship",
        Auth::Citizen,
        None,
        "Ended",
    ),
    op(
        "post",
        "/api/v1/me/consents/{id}/revoke",
        "citizen",
        "同意の撤回 / revoke a consent",
        Auth::Citizen,
        None,
        "Done",
    ),
];

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn envelope(data: &str) -> Value {
    json!({
        "description": "ok=true: data; ok=false: business error (HTTP 200)",
        "content": { "application/json": { "schema": {
            "oneOf": [
                { "type": "object", "required": ["ok", "data"],
                  "properties": { "ok": { "const": true }, "data": reference(data) } },
                reference("ErrorResponse")
            ]
        } } }
    })
}

fn operation(o: &Operation) -> Value {
    let mut parameters: Vec<Value> = o
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = match name {
                // Ids are numbers (`PathParams<i64>`); anything else answers INVALID_PATH_PARAMETER.
                "id" => json!({ "type": "integer", "format": "int64" }),
                "insurer" => formats::pattern(formats::INSURER, "保険者番号"),
                "insured" => formats::pattern(formats::INSURED, "被保険者番号"),
                // The office a person ends: any text; one the person has no relation with is
                // a business refusal, not a malformed request.
                _ => json!({ "type": "string" }),
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    for q in o.query {
        let schema = match q.schema {
            QuerySchema::Int { min, max } => {
                json!({ "type": "integer", "minimum": min, "maximum": max })
            }
            QuerySchema::Pattern(p) => json!({ "type": "string", "pattern": p }),
            QuerySchema::Date => json!({ "type": "string", "pattern": formats::date_any() }),
        };
        parameters.push(
            json!({ "name": q.name, "in": "query", "required": q.required,
            "description": q.description, "schema": schema }),
        );
    }
    // Declared where it is read (every operation of a staff caller); a value that is not a
    // purpose code is refused there (PURPOSE_INVALID) whoever the caller is.
    if o.auth == Auth::Staff {
        parameters.push(json!({ "name": "X-Kiban-Purpose", "in": "header", "required": false,
            "description": "保険者職員の利用目的（職員の種類を問わず、指定するなら有効なコード）/ municipal staff: purpose code (if given, by anyone, a valid one)",
            "schema": { "type": "string", "enum": kiban_domain::access::Purpose::ALL.iter().map(|p| p.code()).collect::<Vec<_>>() } }));
    }
    let security = match o.auth {
        Auth::None => json!([]),
        Auth::Staff => {
            json!([{ "staffBearer": [], "clientCertificate": [] }, { "staffBearer": [] }])
        }
        Auth::Citizen => json!([{ "citizenBearer": [] }]),
        Auth::StaffToken => json!([{ "staffBearer": [] }]),
        Auth::ClientCertificate => json!([{ "clientCertificate": [] }, {}]),
    };
    let error = json!({ "description": "system error", "content": { "application/json": { "schema": reference("ErrorResponse") } } });
    let mut value = json!({
        "tags": [o.tag],
        "summary": o.summary,
        "operationId": format!("{}{}", o.method, o.path.replace(['/', '{', '}', '.'], "_")),
        "parameters": parameters,
        "security": security,
        "responses": {
            "200": envelope(o.response),
            "400": error, "401": error, "403": error, "404": error, "413": error, "500": error, "503": error
        }
    });
    if o.path == "/api/v1/staff/login" {
        // A source that keeps failing is throttled (LOGIN_THROTTLED, with Retry-After).
        value["responses"]["429"] = error.clone();
    }
    if let Some(request) = o.request {
        value["requestBody"] = json!({ "required": true,
            "content": { "application/json": { "schema": reference(request) } } });
    }
    value
}

/// The component schemas of every operation.
fn merged_schemas() -> Value {
    let mut all = schemas();
    for more in [certification::schemas(), careplan::schemas()] {
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for o in OPERATIONS
        .iter()
        .chain(certification::OPERATIONS)
        .chain(careplan::OPERATIONS)
    {
        let entry = paths.entry(o.path).or_insert_with(|| json!({}));
        entry[o.method] = operation(o);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "kiban API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "介護情報基盤・介護保険資格確認等WEBサービス (kiban). Success: HTTP 200 {ok: true, data}. \
    Business errors (access-policy refusals such as CONSENT_REVOKED): HTTP 200 {ok: false, error}, as the national API does. \
    System errors: 400/401/403/404/405/413/500/503 with the same error object (405 with an Allow header for a method a path does not take; \
    413 for a body over the route's limit: 2 MiB, 44 MiB for the care-plan and corporation uploads). TLS 1.3; offices and medical institutions present \
    a client certificate issued by kiban's CA.",
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "schemas": merged_schemas(),
            "securitySchemes": {
                "staffBearer": { "type": "http", "scheme": "bearer", "description": "職員アクセストークン (60分) / staff access token" },
                "citizenBearer": { "type": "http", "scheme": "bearer", "description": "カードログインのトークン (60分) / citizen token" },
                "clientCertificate": { "type": "mutualTLS", "description": "kiban CA が発行したクライアント証明書 / client certificate issued by kiban's CA" }
            }
        },
        "x-error-codes": crate::error::error_table().iter().map(|(code, status, ja, en)| json!({
            "code": code, "http_status": status, "message_ja": ja, "message_en": en })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = document();
        for (method, path) in crate::routes::ROUTES {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is not in the OpenAPI document"
            );
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(
            documented,
            crate::routes::ROUTES.len(),
            "the document has routes the router lacks"
        );
    }

    /// The finding: codes the API answered (APPLICATION_NOT_FOUND, PLAN_NOT_FOUND,
    /// MUNICIPAL_ONLY) were missing from the document's enum.
    #[test]
    fn every_error_code_is_in_the_documents_enum() {
        let doc = document();
        let listed: Vec<&str> = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]
            ["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let all = crate::error::ErrorCode::ALL.iter().map(|c| c.code());
        let policy = kiban_domain::access::Reason::ALL
            .iter()
            .filter(|r| !r.is_allow())
            .map(|r| r.code());
        let refusals = kiban_app::refusal::REFUSALS.iter().map(|r| r.0);
        for code in all.chain(policy).chain(refusals) {
            assert!(listed.contains(&code), "{code} is not in the OpenAPI enum");
        }
        for code in [
            "APPLICATION_NOT_FOUND",
            "PLAN_NOT_FOUND",
            "MUNICIPAL_ONLY",
            "PAYLOAD_TOO_LARGE",
        ] {
            assert!(listed.contains(&code), "{code}");
        }
        // Every status of the table is declared on every operation that can answer it.
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for status in ["400", "401", "404", "413", "500"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &part[..part.find('"').unwrap()];
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "missing schema {name}"
            );
        }
    }
}

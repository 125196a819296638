//! The route table: one list from which both the router and [`ROUTES`] (checked against the
//! OpenAPI document by a test) are built.

pub mod careplan;
pub mod careplan_municipal;
pub mod certification;
pub mod citizen;
pub mod counter;
pub mod persons;
pub mod staff;

use axum::Router;
use serde::Serialize;

use crate::error::{ApiError, ErrorCode, Reply};
use crate::state::Shared;

macro_rules! routes {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every route as (method, path), the path in OpenAPI / axum 0.8 syntax.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        pub(crate) fn add(router: Router<Shared>) -> Router<Shared> {
            router $(.route(
                $path,
                axum::routing::$method($handler)
                    .layer(axum::extract::DefaultBodyLimit::max(crate::body::api_body_limit($path))),
            ))*
        }
    };
}

routes! {
    get "/api/v1/health" => health;
    get "/api/v1/openapi.json" => openapi;
    post "/api/v1/staff/login" => staff::login;
    post "/api/v1/staff/refresh" => staff::refresh;
    post "/api/v1/staff/logout" => staff::logout;
    get "/api/v1/persons/{insurer}/{insured}/qualification" => persons::qualification;
    post "/api/v1/persons/{insurer}/{insured}/enrolment" => persons::enrolment;
    post "/api/v1/persons/{insurer}/{insured}/serving/end" => counter::office_ends;
    post "/api/v1/persons/{insurer}/confirm" => counter::confirm;
    post "/api/v1/card/challenge" => citizen::challenge;
    post "/api/v1/card/login" => citizen::login;
    post "/api/v1/me/logout" => citizen::logout;
    get "/api/v1/me/history" => citizen::history;
    get "/api/v1/me/data" => citizen::data;
    get "/api/v1/me/consents" => citizen::consents;
    post "/api/v1/me/consents/{id}/revoke" => citizen::revoke;
    post "/api/v1/me/servings/{office}/end" => counter::person_ends;
    get "/api/v1/me/applications" => certification::mine;
    post "/api/v1/certification/applications" => certification::file;
    get "/api/v1/certification/applications/{id}" => certification::progress;
    post "/api/v1/certification/applications/{id}/steps" => certification::step;
    post "/api/v1/certification/applications/{id}/survey" => certification::survey;
    get "/api/v1/certification/applications/{id}/survey" => certification::survey_documents;
    post "/api/v1/certification/applications/{id}/opinion" => certification::opinion;
    get "/api/v1/certification/applications/{id}/opinions" => certification::opinions;
    post "/api/v1/certification/applications/{id}/primary-judgment" => certification::primary_judgment;
    post "/api/v1/certification/applications/{id}/decision" => certification::decision;
    post "/api/v1/certification/applications/{id}/extension" => certification::extension;
    get "/api/v1/certification/overdue" => certification::overdue;
    get "/api/v1/certification/events" => certification::events;
    get "/api/v1/persons/{insurer}/{insured}/careplans" => careplan::folder;
    get "/api/v1/me/careplans" => careplan::mine;
    post "/api/v1/me/careplans/{id}/answer" => careplan::answer;
    get "/api/v1/careplans/inbox" => careplan::inbox;
    post "/api/v1/careplans/v5" => careplan::register_v5;
    post "/api/v1/careplans/v4" => careplan::register_v4;
    get "/api/v1/persons/{insurer}/{insured}/life" => careplan::life;
    post "/api/v1/persons/{insurer}/{insured}/life" => careplan::submit_life;
    get "/api/v1/me/life" => careplan::my_life;
    get "/api/v1/municipal/careplans/concentration" => careplan_municipal::concentration;
    post "/api/v1/municipal/careplans/concentration/exclusions" => careplan_municipal::exclusion;
    get "/api/v1/municipal/careplans/caseload" => careplan_municipal::caseload;
    post "/api/v1/municipal/careplans/staffing" => careplan_municipal::staffing;
    get "/api/v1/municipal/careplans/statistics" => careplan_municipal::statistics;
    post "/api/v1/municipal/corporations" => careplan_municipal::corporations;
}

#[derive(Serialize)]
pub struct Health {
    pub status: &'static str,
}

/// The bare route: no TLS client certificate, no token, no store.
pub async fn health() -> Reply<Health> {
    Reply::Ok(Health { status: "ok" })
}

pub async fn openapi() -> axum::Json<serde_json::Value> {
    axum::Json(crate::openapi::document())
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

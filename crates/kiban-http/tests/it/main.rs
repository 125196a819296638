//! kiban-http end to end: a real TLS 1.3 server on 127.0.0.1 (port 0) and a rustls client
//! presenting client certificates issued in the test by kiban's CA.

mod bodies;
mod card_login;
mod careplan_api;
mod careplan_municipal_pages;
mod careplan_pages;
mod careplan_seed;
mod certification_api;
mod certification_pages;
mod citizen;
mod citizen_pages;
mod click_depth;
mod cluster;
mod consent_pages;
mod counter;
mod login_hardening;
mod medical_pages;
mod municipal_pages;
mod office_card_pages;
mod openapi_truth;
mod page_browser;
mod pages;
mod persons;
mod revocation;
mod routes;
mod staff;
mod support;
mod tls;

//! The pages' form bodies for the fuzz targets (`fuzz/fuzz_targets/page_forms.rs`): each body
//! is parsed as axum's `Form` and `Query` parse it (serde_urlencoded) into every form type a
//! page accepts, then through the page's own checks that need no state. Not part of the API.

use axum::http::HeaderValue;
use kiban_domain::careplan::{JudgmentPeriod, YearMonth};
use serde::de::DeserializeOwned;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_urlencoded::from_bytes(body).ok()
}

/// Parses `body` as every form; panics when an invariant breaks.
pub fn page_forms(body: &[u8]) {
    if let Some(form) = parse::<crate::pages::start::TextSizeForm>(body) {
        let to = crate::pages::start::local(&form.back);
        // The target goes into a Location header: it must be a valid header value (or axum's
        // `Redirect::to` panics) and a path on this site.
        assert!(HeaderValue::from_str(to).is_ok(), "{to:?}");
        assert!(to == "/" || (to == form.back && to.starts_with('/') && !to.starts_with("//")));
    }
    let _ = parse::<crate::pages::office::TokenForm>(body);
    let _ = parse::<crate::pages::me::login::CsrfForm>(body);
    let _ = parse::<crate::pages::me::careplans::CommentForm>(body);
    let _ = parse::<crate::pages::login::LoginForm>(body);
    let _ = parse::<crate::pages::municipal::person::LinkForm>(body);
    let _ = parse::<crate::pages::municipal::opinion::OpinionForm>(body);
    let _ = parse::<crate::pages::municipal::careplans::StaffingForm>(body);
    let _ = parse::<crate::pages::municipal::careplans::CorporationsForm>(body);
    let _ = parse::<crate::pages::office::LookupForm>(body);
    let _ = parse::<crate::pages::me::careplans::DoneQuery>(body);
    let _ = parse::<crate::pages::municipal::careplans::ConsoleQuery>(body);
    let _ = parse::<crate::pages::municipal::person::PurposeQuery>(body);
    let _ = parse::<crate::pages::municipal::applications::PurposeQuery>(body);
    let _ = parse::<crate::pages::me::ConsentsQuery>(body);
    let _ = parse::<crate::pages::me::HistoryQuery>(body);
    let _ = parse::<crate::pages::office::consent::FormQuery>(body);
    if let Some(form) = parse::<crate::pages::me::login::LoginForm>(body) {
        card_signature_round_trip(form.card_signature());
    }
    if let Some(form) = parse::<crate::pages::office::card::CardForm>(body) {
        card_signature_round_trip(form.card.signature());
    }
    if let Some(form) = parse::<crate::pages::office::consent::ConsentForm>(body) {
        card_signature_round_trip(form.card.signature());
    }
    if let Some(form) = parse::<crate::pages::office::matching::MatchForm>(body) {
        if let Ok((_, query)) = crate::pages::office::matching::query_of(&form) {
            let kiban_domain::matching::MatchQuery::BasicFour(four) = query else {
                panic!("the form asks by 基本4情報 only");
            };
            assert!(!four.name.is_empty() && four.name == four.name.trim());
        }
    }
    if let Some(form) = parse::<crate::pages::municipal::person::SearchForm>(body) {
        let _ = crate::pages::municipal::person::check_search(&form);
    }
    if let Some(form) = parse::<crate::pages::municipal::careplans::ExclusionForm>(body) {
        let period = JudgmentPeriod::of_month(YearMonth::parse("202609").expect("a month"));
        let _ = crate::pages::municipal::careplans::exclusion_of(&form, period);
    }
    if let Some(pairs) = parse::<Vec<(String, String)>>(body) {
        let posted = crate::pages::municipal::survey::Posted::of(pairs);
        let (survey, errors) = crate::pages::municipal::survey::survey_of(&posted);
        let items = crate::pages::municipal::survey::item_errors(&survey);
        let valid = kiban_domain::certification::validate_survey(&survey).is_ok();
        assert_eq!(valid, items.is_empty());
        let _ = errors.any();
    }
}

/// What a form decoded as a card's answer reads back the same through the API's JSON.
fn card_signature_round_trip(signature: Option<kiban_crypto::CardSignature>) {
    if let Some(signature) = signature {
        let json = serde_json::to_string(&signature).expect("serialises");
        let back: kiban_crypto::CardSignature = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, signature);
    }
}

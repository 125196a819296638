//! 主治医意見書作成依頼 from the 保険者ポータル: a form on the person search page. Sending is a
//! write of 主治医意見書 under the posted 利用目的 (only 認定事務 may), decided and audited by
//! `kiban_app::opinion::request_opinion`; the answer is the search page again, with the form's
//! errors next to its fields or the confirmation.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::Outcome;
use kiban_domain::access::{PersonRef, Timestamp};
use kiban_domain::ids::{InsuredNumber, MedicalInstitutionCode};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::pages::municipal::person::page_with_opinion;
use crate::pages::municipal::{parse_purpose, purpose_options, MunicipalStaff, PurposeOption};
use crate::pages::session::bad_form_token;
use crate::pages::view::respond;
use crate::state::{now, Shared};

#[derive(Deserialize, Default)]
pub(crate) struct OpinionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub insured: String,
    #[serde(default)]
    pub institution: String,
}

#[derive(Default)]
pub(crate) struct OpinionErrors {
    pub purpose: Option<&'static str>,
    pub insured: Option<&'static str>,
    pub institution: Option<&'static str>,
    /// The policy's refusal, in its own words.
    pub form: Option<String>,
}

/// The request form as the search page shows it.
pub(crate) struct OpinionPart {
    pub form: OpinionForm,
    pub purposes: Vec<PurposeOption>,
    pub errors: OpinionErrors,
    /// The confirmation after a request was sent.
    pub sent: Option<String>,
}

impl OpinionPart {
    /// An empty form, with the 被保険者番号 of the person just found filled in.
    pub fn for_person(insured: &str) -> Self {
        Self {
            form: OpinionForm {
                insured: insured.to_string(),
                ..Default::default()
            },
            purposes: purpose_options(""),
            errors: OpinionErrors::default(),
            sent: None,
        }
    }
}

pub(crate) async fn request(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<OpinionForm>,
) -> Response {
    if !staff.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(staff.page(&state));
    }
    let purpose = parse_purpose(&form.purpose);
    let insured = InsuredNumber::parse(&normalize_digits(form.insured.trim()));
    let institution = MedicalInstitutionCode::parse(&normalize_digits(form.institution.trim()));
    let errors = OpinionErrors {
        purpose: purpose.err(),
        insured: insured
            .is_err()
            .then_some("被保険者番号は10桁の数字で入力してください。"),
        institution: institution.is_err().then_some(
            "医療機関コードは10桁の数字で入力してください（3桁目は医科が1、歯科が3です）。",
        ),
        form: None,
    };
    let mut part = OpinionPart {
        purposes: purpose_options(&form.purpose),
        errors: OpinionErrors::default(),
        sent: None,
        form,
    };
    let page = staff.page(&state);
    let insurer = staff.insurer;
    let (Ok(purpose), Ok(insured), Ok(institution)) = (purpose, insured, institution) else {
        // Nothing was sent: nothing to audit.
        part.errors = errors;
        let template = page_with_opinion(page, insurer.to_string(), part);
        return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
    };
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(&state, "依頼できません", &e),
    };
    let person = PersonRef { insurer, insured };
    let sent = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::opinion::request_opinion(
                conn,
                &caller,
                person,
                institution,
                at,
            )?)
        })
        .await;
    let status = match sent {
        Ok(Outcome::Allowed(_)) => {
            part.sent = Some(format!(
                "医療機関コード {institution} の医療機関に、被保険者番号 {insured} の方の主治医意見書の作成を依頼しました。"
            ));
            part.form.institution.clear();
            StatusCode::OK
        }
        Ok(Outcome::Denied(denied)) => {
            part.errors.form = Some(denied.message_ja);
            StatusCode::FORBIDDEN
        }
        Err(e) => return staff.error_page(&state, "依頼できません", &e),
    };
    respond(status, &page_with_opinion(page, insurer.to_string(), part))
}

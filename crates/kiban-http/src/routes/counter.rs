//! At the counter: 資格確認 without a card (基本4情報, or 被保険者番号 + 生年月日) and ending a
//! serving relationship, by the office or by the person. Both through `kiban_app`, audited.

use axum::extract::State;
use kiban_domain::access::{Party, Timestamp};
use kiban_domain::codes::Sex;
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use kiban_domain::matching::{BasicFour, MatchQuery};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{person_of, CitizenCaller, JsonBody, PathParams, StaffCaller};
use crate::state::{now, Shared};

/// Either `insured` + `birth_date`, or `name` + `birth_date` + `sex` + `address`.
#[derive(Deserialize)]
pub struct ConfirmRequest {
    pub birth_date: String,
    #[serde(default)]
    pub insured: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// 性別コード: "1" 男, "2" 女.
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

impl ConfirmRequest {
    fn query(self) -> Result<MatchQuery, ApiError> {
        let invalid = |what: &str| ApiError::with_detail(ErrorCode::InvalidParameter, what);
        let birth_date = Date::parse_any(&self.birth_date).map_err(|_| invalid("birth_date"))?;
        if let Some(insured) = self.insured {
            let insured = InsuredNumber::parse(&insured).map_err(|_| invalid("insured"))?;
            return Ok(MatchQuery::NumberAndBirth {
                insured,
                birth_date,
            });
        }
        match (self.name, self.sex, self.address) {
            (Some(name), Some(sex), Some(address)) => Ok(MatchQuery::BasicFour(BasicFour {
                name,
                birth_date,
                sex: Sex::from_code(sex.trim()).map_err(|_| invalid("sex"))?,
                address,
            })),
            _ => Err(invalid(
                "insured + birth_date, or name + birth_date + sex + address",
            )),
        }
    }
}

#[derive(Serialize)]
pub struct ConfirmedPerson {
    pub insurer: String,
    pub insured: String,
}

/// Identifies the person among the insurer's 被保険者, or says why not (`MATCH_NOT_FOUND`,
/// `MATCH_AMBIGUOUS`, `MATCH_PARTIAL`: business errors). Never a guess.
pub async fn confirm(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(insurer): PathParams<String>,
    JsonBody(req): JsonBody<ConfirmRequest>,
) -> ApiResult<ConfirmedPerson> {
    let insurer = InsurerNumber::parse_with(&insurer, CheckDigitPolicy::Warn)
        .map_err(|_| ErrorCode::InvalidPerson)?
        .number;
    let query = req.query()?;
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome =
                kiban_app::confirm::confirm_without_card(conn, &staff.caller, insurer, query, at)?;
            Ok(Reply::from(outcome).map(|p| ConfirmedPerson {
                insurer: p.insurer.to_string(),
                insured: p.insured.to_string(),
            }))
        })
        .await
}

#[derive(Serialize)]
pub struct Ended {
    pub ended: usize,
}

/// The acting office ends its serving relationship with the person.
pub async fn office_ends(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
) -> ApiResult<Ended> {
    let person = person_of(&insurer, &insured)?;
    let office = match staff.caller.party() {
        Some(Party::Office(o)) => o.to_string(),
        Some(Party::Medical(m)) => m.to_string(),
        // Refused (and audited) by the application: only a serving party can end.
        None => String::new(),
    };
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome =
                kiban_app::serving::end_serving(conn, &staff.caller, person, &office, at)?;
            Ok(Reply::from(outcome).map(|ended| Ended { ended }))
        })
        .await
}

/// The person ends an office's serving relationship with them.
pub async fn person_ends(
    State(state): State<Shared>,
    citizen: CitizenCaller,
    PathParams(office): PathParams<String>,
) -> ApiResult<Ended> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::serving::end_serving(
                conn,
                &citizen.caller,
                citizen.person,
                &office,
                at,
            )?;
            Ok(Reply::from(outcome).map(|ended| Ended { ended }))
        })
        .await
}

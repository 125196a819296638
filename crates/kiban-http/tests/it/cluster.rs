//! Two servers on one PostgreSQL database behave as one service: what ends a staff login or a
//! consent through one is refused at the other on the next request, a notice made through one
//! reaches an office subscribed at the other, a citizen's card login spans both, and a server
//! whose database connections fail or hang answers 503 instead of hanging.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::certification_api::contract;
use crate::support::{answer, code, insured, Fixture, SecondServer, INSURER, OFFICE};

fn qualification() -> String {
    format!("/api/v1/persons/{INSURER}/{}/qualification", insured(1))
}

/// The status of a 資格確認 read with `token` at the server `base`.
async fn read(client: &reqwest::Client, base: &str, token: &str) -> u16 {
    client
        .get(format!("{base}{}", qualification()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Office staff cm1 logged in at the first of two servers, with a client for each server
/// over the office's certificate; the token has read at both.
struct OfficeAtBoth {
    fx: Fixture,
    second: SecondServer,
    at_first: reqwest::Client,
    at_second: reqwest::Client,
    token: String,
}

impl OfficeAtBoth {
    async fn start() -> Self {
        let mut fx = Fixture::postgres().await;
        fx.add_staff("cm1", "office_staff", OFFICE);
        let second = fx.second_server().await;
        let cert = fx.cert(OFFICE);
        let at_first = fx.client(Some(&cert));
        let at_second = fx.client_of(second.addr, Some(&cert));
        let token = fx.login(&at_first, "cm1").await;
        let both = Self {
            fx,
            second,
            at_first,
            at_second,
            token,
        };
        assert_eq!(both.read_at_first().await, 200);
        assert_eq!(both.read_at_second().await, 200);
        both
    }

    async fn read_at_first(&self) -> u16 {
        read(&self.at_first, &self.fx.url(""), &self.token).await
    }

    async fn read_at_second(&self) -> u16 {
        read(&self.at_second, &self.second.base(), &self.token).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_through_one_server_is_refused_at_the_other_on_the_next_request() {
    let both = OfficeAtBoth::start().await;
    let (status, body) = both
        .fx
        .post(
            &both.at_first,
            "/api/v1/staff/logout",
            Some(&both.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // No pause: the very next request at the other server.
    let response = both
        .at_second
        .get(format!("{}{}", both.second.base(), qualification()))
        .bearer_auth(&both.token)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
}

/// An account deactivated outside any server (an operator's SQL, the command line) stops
/// working at both servers at once, well within the seconds a SQLite server would remember a
/// checked token (`FRESH_MS`, 5 s): on PostgreSQL no server remembers one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_deactivated_elsewhere_stops_at_every_server_at_once() {
    let both = OfficeAtBoth::start().await;
    both.fx
        .sql("UPDATE staff_accounts SET active = 0 WHERE staff_id = 'cm1'");
    let deactivated = Instant::now();
    for second in [false, true] {
        loop {
            let status = if second {
                both.read_at_second().await
            } else {
                both.read_at_first().await
            };
            if status == 401 {
                break;
            }
            assert!(
                deactivated.elapsed() < Duration::from_millis(1_000),
                "still {status} at the {} server after {:?}",
                if second { "second" } else { "first" },
                deactivated.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_made_through_one_server_reaches_an_office_subscribed_at_the_other() {
    let mut fx = Fixture::postgres().await;
    fx.add_staff("city1", "municipal_staff", INSURER);
    fx.add_staff("cm1", "office_staff", OFFICE);
    contract(&mut fx, 1);
    let second = fx.second_server().await;
    let second_base = second.base();

    // The office subscribes at the first server.
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let cm = fx.login(&office, "cm1").await;
    let listener = fx.client_with(Some(&fx.cert(OFFICE)), None);
    let mut stream = listener
        .get(fx.url("/api/v1/certification/events"))
        .bearer_auth(&cm)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    // The municipality works through the second.
    let lgwan = fx.client_of(second.addr, Some(&fx.staff_cert("city1")));
    let login = lgwan
        .post(format!("{second_base}/api/v1/staff/login"))
        .json(&fx.login_body("city1"))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(login).await;
    assert_eq!(status, 200, "{body}");
    let city = body["data"]["access_token"].as_str().unwrap().to_string();
    let municipal = |path: String, body: serde_json::Value| {
        lgwan
            .post(format!("{second_base}{path}"))
            .bearer_auth(&city)
            .header("X-Kiban-Purpose", "certification_affairs")
            .json(&body)
            .send()
    };
    let today = kiban_domain::access::Timestamp::from_millis(crate::support::now_ms()).jst_date();
    let filed = municipal(
        "/api/v1/certification/applications".into(),
        json!({
            "insurer": INSURER, "insured": insured(1), "kind": "new", "applicant": "office",
            "proxy_office": OFFICE, "applied_on": today.yyyymmdd(), "share_with_care_manager": true,
            "care_plan_office": OFFICE, "care_plan_office_name": "さくら居宅介護支援事業所" }),
    )
    .await
    .unwrap();
    let (status, filed) = answer(filed).await;
    assert_eq!(status, 200, "{filed}");
    let id = filed["data"]["id"].as_i64().unwrap();
    let step = municipal(
        format!("/api/v1/certification/applications/{id}/steps"),
        json!({ "step": "request_survey" }),
    )
    .await
    .unwrap();
    let (status, step) = answer(step).await;
    assert_eq!(status, 200, "{step}");

    // The first server's subscriber hears of it.
    let wanted = format!("\"application_id\":{id}");
    let mut seen = String::new();
    let until = Instant::now() + Duration::from_secs(5);
    while !seen.contains(&wanted) {
        let left = until.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no notice within 5 s; stream so far: {seen}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: certification"), "{seen}");
    // No personal data travels: neither the insured number nor a name.
    assert!(!seen.contains(&insured(1)), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consent_revoked_through_one_server_is_refused_at_the_other_on_the_next_request() {
    let mut fx = Fixture::postgres().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let second = fx.second_server().await;
    let second_base = second.base();
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    fx.enrol_with_card(&office, &token, &card, 1).await;
    let at_second = fx.client_of(second.addr, Some(&fx.cert(OFFICE)));
    let read_at_second = || {
        at_second
            .get(format!("{second_base}{}", qualification()))
            .bearer_auth(&token)
            .send()
    };
    let (status, body) = answer(read_at_second().await.unwrap()).await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");

    // The person revokes 資格情報 through the first server.
    let me = fx.client(None);
    let citizen = fx.citizen_login(&card).await;
    let (_, body) = fx.get(&me, "/api/v1/me/consents", Some(&citizen)).await;
    let id = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "qualification")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, body) = fx
        .post(
            &me,
            &format!("/api/v1/me/consents/{id}/revoke"),
            Some(&citizen),
            &json!({}),
        )
        .await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");

    // The very next read at the second server is refused.
    let (status, body) = answer(read_at_second().await.unwrap()).await;
    assert_eq!((status, code(&body)), (200, "CONSENT_REVOKED"), "{body}");
}

/// The database closes every connection of a server (a restart, a failover, an operator's
/// `pg_terminate_backend`): the requests that meet a closed connection are answered 503 with
/// `Retry-After` and a stable code, the connections are replaced, and the server serves again
/// without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_database_closed_are_replaced_and_meanwhile_answered_503() {
    let mut fx = Fixture::postgres().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let name = format!("kiban_reconnect_{}", rand_suffix());
    let server = fx
        .second_server_at(&format!("{}&application_name={name}", fx.database_url()))
        .await;
    let base = server.base();
    let client = fx.client_of(server.addr, Some(&fx.cert(OFFICE)));
    let token = fx.login(&fx.client(Some(&fx.cert(OFFICE))), "cm1").await;
    assert_eq!(read(&client, &base, &token).await, 200);

    fx.sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{name}'"
    ));
    let mut unavailable = 0;
    let mut back = false;
    for _ in 0..20 {
        let response = client
            .get(format!("{base}{}", qualification()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get("retry-after").cloned();
        let (status, body) = answer(response).await;
        match status {
            200 => {
                back = true;
                break;
            }
            503 => {
                assert_eq!(code(&body), "SERVICE_UNAVAILABLE", "{body}");
                assert_eq!(retry_after.unwrap(), "1");
                unavailable += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(back, "served again after {unavailable} answers 503");
    eprintln!("reconnect: served again after {unavailable} answers 503");
    for _ in 0..10 {
        assert_eq!(read(&client, &base, &token).await, 200, "stays served");
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        % 1_000_000_007
}

/// A citizen's card login spans servers: the challenge issued by one is answered at the
/// other (and only once), the session opened there works at the first, and a logout at the
/// first ends it at the second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_session_and_its_challenge_are_good_at_every_server() {
    let mut fx = Fixture::postgres().await;
    let card = fx.card_for(1);
    let second = fx.second_server().await;
    let second_base = second.base();
    let first_client = fx.client(None);
    let second_client = fx.client_of(second.addr, None);

    let (id, signature) = fx.card_sign(&first_client, &card).await;
    let body = json!({ "challenge_id": id, "signature": signature });
    let login_at_second = || {
        second_client
            .post(format!("{second_base}/api/v1/card/login"))
            .json(&body)
            .send()
    };
    let (status, answer_body) = answer(login_at_second().await.unwrap()).await;
    assert_eq!(status, 200, "{answer_body}");
    let token = answer_body["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    // The same answer again, at either server: the challenge was taken.
    let (status, again) = answer(login_at_second().await.unwrap()).await;
    assert_eq!(
        (status, code(&again)),
        (401, "CHALLENGE_REJECTED"),
        "{again}"
    );
    let (status, again) = fx
        .post(&first_client, "/api/v1/card/login", None, &body)
        .await;
    assert_eq!(
        (status, code(&again)),
        (401, "CHALLENGE_REJECTED"),
        "{again}"
    );

    let (status, consents) = fx
        .get(&first_client, "/api/v1/me/consents", Some(&token))
        .await;
    assert_eq!(
        status, 200,
        "the session opened at the second works at the first: {consents}"
    );
    let (status, _) = fx
        .post(&first_client, "/api/v1/me/logout", Some(&token), &json!({}))
        .await;
    assert_eq!(status, 200);
    let response = second_client
        .get(format!("{second_base}/api/v1/me/consents"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
}

/// A database that holds a request up (here a table locked by an operator's transaction) does
/// not hang the server: the request waiting on the lock gives up at the lock timeout, the one
/// waiting for the pool's only connection at the pool wait, both answered 503 with
/// `Retry-After`; and the server serves again once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_held_up_by_the_database_is_answered_503_not_left_hanging() {
    let mut fx = Fixture::postgres().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let server = fx
        .second_server_with(&fx.database_url(), |config| {
            config.connections = 1;
            config.limits = kiban_http::DatabaseLimits {
                statement: Duration::from_secs(30),
                lock: Duration::from_millis(400),
                pool_wait: Duration::from_millis(200),
            };
        })
        .await;
    let base = server.base();
    let client = fx.client_of(server.addr, Some(&fx.cert(OFFICE)));
    let token = fx.login(&fx.client(Some(&fx.cert(OFFICE))), "cm1").await;
    assert_eq!(read(&client, &base, &token).await, 200);

    // An operator's transaction holds a table every read needs, for 3 s.
    let holder = kiban_testkit::hold_in_transaction(
        &fx.database_url(),
        "LOCK TABLE consents IN ACCESS EXCLUSIVE MODE",
        Duration::from_secs(3),
    );

    let started = Instant::now();
    let one = || async {
        let response = client
            .get(format!("{base}{}", qualification()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get("retry-after").cloned();
        let (status, body) = answer(response).await;
        (status, code(&body).to_string(), retry_after)
    };
    let (first, second) = tokio::join!(one(), one());
    let waited = started.elapsed();
    for (status, code, retry_after) in [&first, &second] {
        assert_eq!((*status, code.as_str()), (503, "SERVICE_UNAVAILABLE"));
        assert_eq!(retry_after.as_ref().unwrap(), "1");
    }
    assert!(
        waited < Duration::from_secs(2),
        "answered in {waited:?}, before the lock ends"
    );
    holder.join().unwrap();
    assert_eq!(read(&client, &base, &token).await, 200, "served again");
}

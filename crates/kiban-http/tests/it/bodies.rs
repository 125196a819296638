//! Request bodies over both protocols: an answer given before the handler read the whole body
//! (a refusal of the token, a malformed document, a body over the limit) still reaches the
//! client complete over HTTP/2 and HTTP/1.1, and a body over the limit is a 413 in the API's
//! error envelope.

use serde_json::Value;

use crate::support::{code, Fixture, OFFICE};

#[derive(Clone, Copy, Debug)]
enum Protocol {
    Http1,
    Http2,
}

fn client(
    fx: &Fixture,
    protocol: Protocol,
    cert: Option<&kiban_crypto::IssuedCert>,
) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(fx.ca.cert_pem().as_bytes()).unwrap())
        .resolve("localhost", fx.addr)
        .timeout(std::time::Duration::from_secs(120));
    if let Some(cert) = cert {
        let pem = format!("{}{}", cert.cert_pem, cert.key_pem.as_str());
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder = match protocol {
        Protocol::Http1 => builder.http1_only(),
        Protocol::Http2 => builder.http2_prior_knowledge(),
    };
    builder.build().unwrap()
}

/// Sends `body` and reads the whole answer: (HTTP version, status, content type, JSON body).
async fn send(
    client: &reqwest::Client,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::Version, u16, String, Value), String> {
    let _ = client;
    let response = request.send().await.map_err(|e| format!("send: {e:?}"))?;
    let version = response.version();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = response.bytes().await.map_err(|e| format!("body: {e:?}"))?;
    let json = serde_json::from_slice(&bytes)
        .map_err(|e| format!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))?;
    Ok((version, status, content_type, json))
}

const V4: &str = "/api/v1/careplans/v4";

/// Small invalid uploads, each answered before (or without) reading the whole body: no token, a
/// bad token, a body that is not JSON, a body of the wrong type, a wrong content type.
fn invalid_small_posts(
    fx: &Fixture,
    client: &reqwest::Client,
    token: &str,
) -> Vec<reqwest::RequestBuilder> {
    let url = fx.url(V4);
    let padding = "x".repeat(48 * 1024);
    let json_body = format!("{{\"registration\":\"issue\",\"files\":[],\"pad\":\"{padding}\"}}");
    (0..40)
        .map(|i| match i % 5 {
            0 => client
                .post(&url)
                .header("content-type", "application/json")
                .body(json_body.clone()),
            1 => client
                .post(&url)
                .bearer_auth("not-a-token")
                .header("content-type", "application/json")
                .body(json_body.clone()),
            2 => client
                .post(&url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(format!("{{not json {padding}")),
            3 => client
                .post(&url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(format!("[\"{padding}\"]")),
            _ => client
                .post(&url)
                .bearer_auth(token)
                .header("content-type", "text/plain")
                .body(json_body.clone()),
        })
        .collect()
}

async fn small_invalid_posts_are_all_answered(protocol: Protocol) {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let cert = fx.cert(OFFICE);
    let client = client(&fx, protocol, Some(&cert));
    let token = fx.login(&client, "cm1").await;
    let requests = invalid_small_posts(&fx, &client, &token);
    // All at once on one connection, as a browser or an HTTP/2 client multiplexes them.
    let answers =
        futures_util::future::join_all(requests.into_iter().map(|r| send(&client, r))).await;
    let mut lost = Vec::new();
    for (i, answer) in answers.into_iter().enumerate() {
        match answer {
            Ok((version, status, content_type, body)) => {
                match protocol {
                    Protocol::Http1 => assert_eq!(version, reqwest::Version::HTTP_11),
                    Protocol::Http2 => assert_eq!(version, reqwest::Version::HTTP_2),
                }
                assert!((400..500).contains(&status), "request {i}: {status} {body}");
                assert!(
                    content_type.starts_with("application/json"),
                    "request {i}: {content_type}"
                );
                assert_eq!(body["ok"], false, "request {i}: {body}");
                assert!(
                    ["UNAUTHENTICATED", "BAD_REQUEST"].contains(&code(&body)),
                    "request {i}: {body}"
                );
            }
            Err(e) => lost.push(format!("request {i}: {e}")),
        }
    }
    assert!(
        lost.is_empty(),
        "{} of 40 answers lost over {protocol:?}: {lost:#?}",
        lost.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_invalid_small_uploads_over_http2_are_all_answered_in_json() {
    small_invalid_posts_are_all_answered(Protocol::Http2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_invalid_small_uploads_over_http1_are_all_answered_in_json() {
    small_invalid_posts_are_all_answered(Protocol::Http1).await;
}

async fn fifty_megabytes_get_413(protocol: Protocol, with_length: bool) {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let cert = fx.cert(OFFICE);
    let client = client(&fx, protocol, Some(&cert));
    let token = fx.login(&client, "cm1").await;
    let body = vec![b' '; 50_000_000];
    let request = client
        .post(fx.url(V4))
        .bearer_auth(&token)
        .header("content-type", "application/json");
    let request = if with_length {
        request.body(body)
    } else {
        // Chunked (HTTP/1.1) or without content-length (HTTP/2): only reading tells the size.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            body.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
        request.body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
    };
    let (_, status, content_type, body) = send(&client, request)
        .await
        .unwrap_or_else(|e| panic!("the 413 is lost over {protocol:?}: {e}"));
    assert_eq!(status, 413, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(
        (body["ok"].clone(), code(&body)),
        (Value::Bool(false), "PAYLOAD_TOO_LARGE")
    );
    // The connection is still good for the next request.
    let (_, status, _, _) = send(&client, client.get(fx.url("/api/v1/health")))
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_over_http2_gets_413_in_json() {
    fifty_megabytes_get_413(Protocol::Http2, true).await;
    fifty_megabytes_get_413(Protocol::Http2, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_over_http1_gets_413_in_json() {
    fifty_megabytes_get_413(Protocol::Http1, true).await;
    fifty_megabytes_get_413(Protocol::Http1, false).await;
}

/// A TLS 1.3 connection to the server, offering `alpn` ("h2" or "http/1.1").
async fn bare_tls(
    fx: &Fixture,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(fx.ca.cert_pem().as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = tokio::net::TcpStream::connect(fx.addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap()
}

/// An HTTP/2 connection of the bare `h2` client (ALPN h2, TLS 1.3), which shows what reqwest
/// hides: whether the server reset the stream while the client was still sending.
async fn bare_h2(fx: &Fixture) -> h2::client::SendRequest<bytes::Bytes> {
    let tls = bare_tls(fx, b"h2").await;
    let (send, connection) = h2::client::handshake(tls).await.unwrap();
    tokio::spawn(connection);
    send.ready().await.unwrap()
}

/// Sends `len` bytes on `stream` as flow control allows; an error if the server reset it.
async fn send_all(stream: &mut h2::SendStream<bytes::Bytes>, len: usize) -> Result<(), String> {
    let mut left = len;
    while left > 0 {
        stream.reserve_capacity(left.min(64 * 1024));
        match std::future::poll_fn(|cx| stream.poll_capacity(cx)).await {
            Some(Ok(n)) if n > 0 => {
                let n = n.min(left);
                left -= n;
                stream
                    .send_data(bytes::Bytes::from(vec![b' '; n]), left == 0)
                    .map_err(|e| format!("send_data after {} bytes: {e}", len - left))?;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("after {} bytes: {e}", len - left)),
            None => return Err(format!("stream closed after {} bytes", len - left)),
        }
    }
    Ok(())
}

/// The finding: an upload refused before its body is read (here: no token) used to be answered
/// and its stream reset (RST_STREAM) while the client was still sending, which most clients
/// report as a stream error instead of the answer. Now the body is read to its end first: the
/// client sends everything, then gets the whole JSON answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_upload_refused_early_is_read_to_its_end_before_the_answer() {
    let fx = Fixture::sqlite().await;
    let mut h2 = bare_h2(&fx).await;
    // Larger than hyper's 1 MiB stream window, so the client must wait for the server to read.
    for len in [3 * 1024 * 1024, 200 * 1024] {
        let request = http::Request::post(fx.url(V4))
            .header("content-type", "application/json")
            .body(())
            .unwrap();
        let (response, mut stream) = h2.send_request(request, false).unwrap();
        let (sent, response) = tokio::join!(send_all(&mut stream, len), response);
        assert_eq!(
            sent,
            Ok(()),
            "the server reset the stream of a {len}-byte body"
        );
        let response = response.expect("the answer arrives");
        assert_eq!(response.status(), 401);
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.expect("the answer is complete");
            let _ = body.flow_control().release_capacity(chunk.len());
            bytes.extend_from_slice(&chunk);
        }
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(code(&json), "UNAUTHENTICATED", "{json}");
        h2 = h2.ready().await.unwrap();
    }
}

/// Reads one HTTP/1.1 answer with a Content-Length body from `conn`, keeping what follows in
/// `buffer`: (status, body).
async fn read_http1_answer(
    conn: &mut (impl tokio::io::AsyncRead + Unpin),
    buffer: &mut Vec<u8>,
) -> (u16, Vec<u8>) {
    use tokio::io::AsyncReadExt as _;
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
            let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .unwrap_or_else(|| panic!("no content-length in {head}"));
            while buffer.len() < end + 4 + length {
                let mut chunk = [0u8; 4096];
                let n = conn.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed inside the answer to {head}");
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = buffer[end + 4..end + 4 + length].to_vec();
            buffer.drain(..end + 4 + length);
            return (status, body);
        }
        let mut chunk = [0u8; 4096];
        let n = conn.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "connection closed before an answer: {:?}",
            String::from_utf8_lossy(buffer)
        );
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Found by the soak: a small body that arrives in a second write, after its headers (as a
/// client that writes headers and body separately sends it), must not cost the connection. The
/// POST is answered, and the next request on the same HTTP/1.1 connection is answered too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_body_in_a_separate_write_keeps_the_connection_alive() {
    use tokio::io::AsyncWriteExt as _;
    let fx = Fixture::sqlite().await;
    let mut conn = bare_tls(&fx, b"http/1.1").await;
    let head = format!(
        "POST {V4} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    conn.write_all(b"{}").await.unwrap();
    conn.flush().await.unwrap();
    let mut buffer = Vec::new();
    let (status, body) = read_http1_answer(&mut conn, &mut buffer).await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, code(&json)), (401, "UNAUTHENTICATED"), "{json}");
    conn.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    conn.flush().await.unwrap();
    let (status, body) = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        read_http1_answer(&mut conn, &mut buffer),
    )
    .await
    .expect("the second request on the connection is answered");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

//! What the API clients share over HTTP, written once: a client that never follows redirects,
//! one attempt that sends the key in a header marked sensitive and reads the status, the
//! Retry-After and the body, transport failures told apart (timeout or connection), and the
//! check of a configured base URL. Each client keeps its own DTOs and its own typed errors.

use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};

/// An answer with its status, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's `Retry-After`, in seconds, when it sent one.
    pub retry_after: Option<Duration>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Timeout,
    /// What went wrong, in words (never the URL or a header).
    Connection(&'static str),
    /// The key cannot be sent in a header (control characters).
    BadKey,
}

/// A client with the given timeouts that never follows redirects (a redirect can drop the key
/// header, and every API here is called at its documented paths).
pub fn client(connect_timeout: Duration, timeout: Duration) -> Result<reqwest::Client, Transport> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("dhmad-review-desk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| Transport::Connection("the HTTP client could not be set up"))
}

/// `text` as an http(s) base URL with a host, ending in a slash so paths join under it.
pub fn base_url(text: &str) -> Option<Url> {
    let mut url = Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())?;
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Some(url)
}

/// The server's `Retry-After` in seconds (the HTTP-date form is not used by these APIs).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn transport(error: &reqwest::Error) -> Transport {
    if error.is_timeout() {
        Transport::Timeout
    } else if error.is_decode() || error.is_body() {
        Transport::Connection("the connection closed before the answer was complete")
    } else if error.is_connect() {
        Transport::Connection("connection refused or unreachable")
    } else {
        Transport::Connection("the request failed in transit")
    }
}

/// One request: `key` sent as header `key_header` (marked sensitive, so it never shows in a
/// debug print), a JSON `body` (already serialized) if any. Any status is an answer; only no
/// answer is an error.
pub async fn send(
    http: &reqwest::Client,
    method: Method,
    url: Url,
    (key_header, key): (&'static str, &str),
    body: Option<String>,
) -> Result<Answer, Transport> {
    let mut value = HeaderValue::from_str(key).map_err(|_| Transport::BadKey)?;
    value.set_sensitive(true);
    let mut request = http.request(method, url).header(key_header, value);
    if let Some(body) = body {
        request = request.header(CONTENT_TYPE, "application/json").body(body);
    }
    let response = request.send().await.map_err(|e| transport(&e))?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response.bytes().await.map_err(|e| transport(&e))?.to_vec();
    Ok(Answer {
        status,
        body,
        retry_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_http_with_a_host_and_end_in_a_slash() {
        assert_eq!(
            base_url("https://api.example.com/v1").map(|u| u.to_string()),
            Some("https://api.example.com/v1/".into())
        );
        assert!(base_url("ftp://example.com").is_none());
        assert!(base_url("not a url").is_none());
        assert!(base_url("https://").is_none());
    }

    #[tokio::test]
    async fn no_server_is_a_connection_failure_and_a_bad_key_is_refused_before_sending() {
        let http = client(Duration::from_millis(500), Duration::from_secs(2)).unwrap();
        let closed = base_url("http://127.0.0.1:9/").unwrap();
        let failed = send(&http, Method::GET, closed.clone(), ("x-api-key", "k"), None).await;
        assert!(
            matches!(failed, Err(Transport::Connection(_))),
            "{failed:?}"
        );
        let bad = send(&http, Method::GET, closed, ("x-api-key", "k\n"), None).await;
        assert_eq!(bad, Err(Transport::BadKey));
    }
}

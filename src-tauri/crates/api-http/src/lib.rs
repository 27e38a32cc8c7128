//! What the API clients share over HTTP, written once: a client that never follows redirects,
//! one attempt that sends the key in a header marked sensitive and reads the status, the
//! Retry-After and the body, transport failures told apart (timeout or connection), and the
//! check of a configured base URL, and the sizing of a client-side rate quota. Each client keeps its own DTOs and its own typed errors.

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

/// Where an API is and how its client calls it: the part every client's configuration shares.
#[derive(Clone)]
pub struct Endpoint {
    /// Joined with each request's relative path.
    pub base_url: Url,
    pub api_key: secrecy::SecretString,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Extra attempts for a failed read.
    pub read_retries: usize,
    /// Longest `Retry-After` a read waits for before giving up.
    pub max_retry_after: Duration,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Why an endpoint cannot be configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointError {
    /// Not an http(s) URL with a host.
    BadUrl,
    EmptyKey,
}

impl Endpoint {
    /// `base_url` checked (see [`base_url`]) and a key that is not blank, with the defaults:
    /// 5 s to connect, 20 s per request, 3 read retries, Retry-After up to 60 s.
    pub fn new(base_url: &str, api_key: secrecy::SecretString) -> Result<Self, EndpointError> {
        use secrecy::ExposeSecret;
        let base_url = self::base_url(base_url).ok_or(EndpointError::BadUrl)?;
        if api_key.expose_secret().trim().is_empty() {
            return Err(EndpointError::EmptyKey);
        }
        Ok(Self {
            base_url,
            api_key,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            read_retries: 3,
            max_retry_after: Duration::from_secs(60),
        })
    }

    /// A client with this endpoint's timeouts (see [`client`]).
    pub fn client(&self) -> Result<reqwest::Client, Transport> {
        client(self.connect_timeout, self.request_timeout)
    }
}

/// A client-side quota of `limit` requests per `window`. A token bucket allows its burst plus
/// one refill per interval in any window, so the bucket is sized to keep burst + refills within
/// 95 % of the quota: arrival jitter on the wire cannot push a window over the server's count.
pub fn quota(limit: u32, window: Duration) -> governor::Quota {
    use std::num::NonZeroU32;
    let usable = (u64::from(limit) * 95 / 100).max(2);
    let burst = (usable / 10).max(1);
    let refills = (usable - burst).max(1);
    let interval = window / u32::try_from(refills).unwrap_or(u32::MAX);
    let burst = NonZeroU32::new(u32::try_from(burst).unwrap_or(1)).unwrap_or(NonZeroU32::MIN);
    governor::Quota::with_period(interval.max(Duration::from_micros(1)))
        .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// The requests sent in the last `window` (a sliding window, as the APIs count them), for the
/// budget a desk shows; the quota itself is enforced by a token bucket (see [`quota`]).
#[derive(Debug)]
pub struct SentWindow {
    window: Duration,
    sent: std::sync::Mutex<std::collections::VecDeque<std::time::Instant>>,
}

impl SentWindow {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            sent: Default::default(),
        }
    }

    /// Notes a request sent now.
    pub fn note(&self) {
        let now = std::time::Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.push_back(now);
    }

    /// How many of `limit` are left in the window ending now.
    pub fn left(&self, limit: u32) -> u32 {
        let now = std::time::Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            sent.pop_front();
        }
        limit.saturating_sub(u32::try_from(sent.len()).unwrap_or(u32::MAX))
    }
}

/// What a read's retry needs to know of a client's error.
pub trait Failure: std::fmt::Display {
    /// The request may succeed unchanged later (rate limited, server error, no answer).
    fn is_transient(&self) -> bool;
    /// The server asked to wait this long (a 429's Retry-After).
    fn wait_asked(&self) -> Option<Duration>;
}

/// Runs a read, retried with exponential backoff and jitter while its failure is transient; a
/// 429's Retry-After replaces the backoff's delay, and one asking longer than `max_wait` ends
/// the retries. `api` names the API in the log.
pub async fn retry_read<T, E, Fut>(
    api: &'static str,
    retries: usize,
    max_wait: Duration,
    read: impl FnMut() -> Fut,
) -> Result<T, E>
where
    E: Failure,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    use backon::{ExponentialBuilder, Retryable};
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(10))
        .with_max_times(retries)
        .with_jitter();
    read.retry(backoff)
        .when(|e: &E| match e.wait_asked() {
            Some(wait) => wait <= max_wait,
            None => e.is_transient(),
        })
        .adjust(|e: &E, delay| e.wait_asked().or(delay))
        .notify(|e: &E, delay| tracing::warn!(api, error = %e, ?delay, "retrying a read"))
        .await
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

//! A probe for tests: raw Didit reads with the sandbox's key, and the `/_sandbox/` controls.
//! Panics on transport errors, as a test helper should.
#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::Value;

use crate::RunningSandbox;

pub struct Probe<'a> {
    sandbox: &'a RunningSandbox,
    http: reqwest::Client,
}

impl RunningSandbox {
    pub fn probe(&self) -> Probe<'_> {
        Probe {
            sandbox: self,
            http: reqwest::Client::new(),
        }
    }
}

async fn json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

impl Probe<'_> {
    /// A Didit GET with the accepted key, e.g. `didit("/v3/sessions/?limit=5")`.
    pub async fn didit(&self, path_and_query: &str) -> Value {
        let url = format!("{}{path_and_query}", self.sandbox.base_url);
        json(
            self.http
                .get(url)
                .header("x-api-key", &self.sandbox.didit_key),
        )
        .await
    }

    /// The raw decision body of a session.
    pub async fn decision(&self, session_id: &str) -> Value {
        self.didit(&format!("/v3/session/{session_id}/decision/"))
            .await
    }

    /// POSTs to a control endpoint, e.g. `control("faults", json!({"fail_next": 1}))`.
    pub async fn control(&self, name: &str, body: Value) -> Value {
        json(
            self.http
                .post(format!("{}/_sandbox/{name}", self.sandbox.base_url))
                .json(&body),
        )
        .await
    }

    /// GETs a control endpoint: `ledger`, `faults` or `rate`.
    pub async fn read(&self, name: &str) -> Value {
        json(
            self.http
                .get(format!("{}/_sandbox/{name}", self.sandbox.base_url)),
        )
        .await
    }

    /// Every effect applied so far, in order.
    pub async fn ledger(&self) -> Vec<Value> {
        self.read("ledger")
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

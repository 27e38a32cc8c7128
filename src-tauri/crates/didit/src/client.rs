//! The Didit v3 HTTP client. One place builds the auth header from the secret key; reads are
//! retried with backoff and jitter (and after `Retry-After` on 429); writes are never retried.

use desk_core::blocklist::{BlocklistEntry, BlocklistKind};
use desk_core::model::case::{CaseStatus, CaseSummary, QueueItem, ReviewEntry};
use desk_core::model::request::{self, BlocklistSelection, DecisionRequest};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use url::Url;

use crate::error::DiditError;
use crate::limits::{Limiter, RateLimits, Scope};
use crate::{convert, wire};

/// The documented production origin.
pub const PRODUCTION_URL: &str = "https://verification.didit.me";

/// Didit's endpoint and the client's rate limits; derefs to the shared [`api_http::Endpoint`]
/// (base URL, key, timeouts, read retries).
#[derive(Clone, Debug)]
pub struct DiditConfig {
    pub endpoint: api_http::Endpoint,
    pub limits: RateLimits,
}

impl std::ops::Deref for DiditConfig {
    type Target = api_http::Endpoint;
    fn deref(&self) -> &Self::Target {
        &self.endpoint
    }
}

impl std::ops::DerefMut for DiditConfig {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.endpoint
    }
}

impl DiditConfig {
    pub fn new(base_url: &str, api_key: SecretString) -> Result<Self, DiditError> {
        let endpoint = api_http::Endpoint::new(base_url, api_key).map_err(|e| {
            DiditError::InvalidInput(match e {
                api_http::EndpointError::BadUrl => {
                    format!("{base_url:?} is not an http(s) origin such as {PRODUCTION_URL}")
                }
                api_http::EndpointError::EmptyKey => "the Didit API key is empty".into(),
            })
        })?;
        Ok(Self {
            endpoint,
            limits: RateLimits::default(),
        })
    }
}

/// One page of a list plus where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub count: Option<u64>,
    pub items: Vec<T>,
    pub next_offset: Option<u64>,
}

/// Filters of the session list (api-facts A6.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    pub statuses: Vec<CaseStatus>,
    pub vendor_data: Option<String>,
    pub workflow_id: Option<String>,
    pub country: Option<String>,
    pub search: Option<String>,
    /// Risk codes, comma-separated: sessions carrying any of them.
    pub warning: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub internal_id: Option<String>,
    pub vendor_data: Option<String>,
    pub full_name: Option<String>,
    pub status: Option<String>,
    pub sessions: i64,
    pub approved: i64,
    pub declined: i64,
    pub in_review: i64,
    pub last_session_at: Option<String>,
}

pub struct DiditClient {
    http: reqwest::Client,
    config: DiditConfig,
    limiter: Limiter,
}

fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, DiditError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| DiditError::Decode {
        what,
        message: e.to_string(),
    })
}

fn validate(result: Result<(), request::ActionError>) -> Result<(), DiditError> {
    result.map_err(|e| DiditError::InvalidInput(e.to_string()))
}

impl DiditClient {
    pub fn new(config: DiditConfig) -> Result<Self, DiditError> {
        // Didit answers a slash-less path with 301; following it can drop the key header.
        // We always send the documented slashed paths, and the client never follows redirects.
        let http = config.client().map_err(transport_error)?;
        Ok(Self {
            http,
            limiter: Limiter::new(config.limits),
            config,
        })
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, DiditError> {
        debug_assert!(path.ends_with('/'), "Didit paths end with a slash: {path}");
        let mut url = self
            .config
            .base_url
            .join(path)
            .map_err(|e| DiditError::InvalidInput(e.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// One attempt: limits, auth header, send, map the status.
    async fn send_once(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        scopes: &[Scope],
    ) -> Result<Vec<u8>, DiditError> {
        self.limiter.acquire(scopes).await;
        let answer = api_http::send(
            &self.http,
            method.clone(),
            url.clone(),
            ("x-api-key", self.config.api_key.expose_secret()),
            body.map(Value::to_string),
        )
        .await
        .map_err(transport_error)?;
        let status = reqwest::StatusCode::from_u16(answer.status)
            .unwrap_or(reqwest::StatusCode::INTERNAL_SERVER_ERROR);
        let (wait, bytes) = (answer.retry_after, answer.body);
        tracing::debug!(%method, path = url.path(), status = status.as_u16(), "didit call");
        if status.is_success() {
            Ok(bytes)
        } else if status.is_redirection() {
            Err(DiditError::UnexpectedStatus {
                status: status.as_u16(),
                message: "Didit redirected the request; the path is missing its trailing slash"
                    .into(),
            })
        } else {
            Err(DiditError::from_response(status.as_u16(), &bytes, wait))
        }
    }

    /// A read, retried while the failure is transient.
    async fn read<T: DeserializeOwned>(
        &self,
        what: &'static str,
        path: &str,
        query: &[(&str, String)],
        scopes: &[Scope],
    ) -> Result<T, DiditError> {
        let url = self.url(path, query)?;
        let bytes = api_http::retry_read(
            "didit",
            self.config.read_retries,
            self.config.max_retry_after,
            || self.send_once(Method::GET, &url, None, scopes),
        )
        .await?;
        decode(what, &bytes)
    }

    /// A write: exactly one attempt. The caller decides what a failure means.
    async fn write<T: DeserializeOwned>(
        &self,
        what: &'static str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<T, DiditError> {
        let url = self.url(path, &[])?;
        let bytes = self
            .send_once(method, &url, Some(body), &[Scope::GenericWrite])
            .await?;
        decode(what, &bytes)
    }

    /// Requests left in the current rate windows: (reads, writes), and the limits.
    pub fn budget(&self) -> (crate::limits::Budget, RateLimits) {
        (self.limiter.budget(), self.limiter.limits())
    }

    /// One page of sessions, newest first.
    pub async fn list_sessions(&self, query: &SessionQuery) -> Result<Page<QueueItem>, DiditError> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if !query.statuses.is_empty() {
            let statuses: Vec<&str> = query.statuses.iter().map(CaseStatus::as_str).collect();
            params.push(("status", statuses.join(",")));
        }
        for (name, value) in [
            ("vendor_data", &query.vendor_data),
            ("workflow_id", &query.workflow_id),
            ("country", &query.country),
            ("search", &query.search),
            ("warning", &query.warning),
        ] {
            if let Some(value) = value {
                params.push((name, value.clone()));
            }
        }
        params.push(("limit", query.limit.unwrap_or(50).to_string()));
        params.push(("offset", query.offset.unwrap_or(0).to_string()));
        let page: wire::Page<wire::SessionRow> = self
            .read(
                "session list",
                "/v3/sessions/",
                &params,
                &[Scope::GenericGet],
            )
            .await?;
        Ok(page_of(page, convert::queue_item))
    }

    /// Every session matching the query, following the pages.
    pub async fn list_all_sessions(
        &self,
        query: &SessionQuery,
    ) -> Result<Vec<QueueItem>, DiditError> {
        let mut query = query.clone();
        let mut all = Vec::new();
        loop {
            let page = self.list_sessions(&query).await?;
            let got = page.items.len();
            all.extend(page.items);
            match page.next_offset {
                Some(next) if got > 0 && Some(next) != query.offset => query.offset = Some(next),
                _ => return Ok(all),
            }
        }
    }

    /// The decision of one session as a media-free case summary.
    pub async fn decision(&self, case_id: &str) -> Result<CaseSummary, DiditError> {
        validate(request::validate_uuid(case_id))?;
        let decision: wire::Decision = self
            .read(
                "decision",
                &format!("/v3/session/{case_id}/decision/"),
                &[],
                &[Scope::GenericGet],
            )
            .await?;
        convert::case_summary(decision)
    }

    /// Approve, decline or ask for a resubmission (PATCH update-status). Never retried.
    pub async fn update_status(&self, request: &DecisionRequest) -> Result<(), DiditError> {
        validate(request::validate_uuid(&request.case_id))?;
        validate(request.validate())?;
        let mut body = json!({ "new_status": request.verdict.status().as_str() });
        if let Some(comment) = &request.comment {
            body["comment"] = json!(comment);
        }
        if let Some(notice) = &request.notify {
            body["send_email"] = json!(true);
            body["email_address"] = json!(notice.address);
            body["email_language"] = json!(notice.language);
        }
        if !request.redo.is_empty() {
            body["nodes_to_resubmit"] = request
                .redo
                .iter()
                .map(|s| json!({"node_id": s.step, "feature": s.kind.as_str()}))
                .collect();
        }
        let _: Value = self
            .write(
                "update-status answer",
                Method::PATCH,
                &format!("/v3/session/{}/update-status/", request.case_id),
                &body,
            )
            .await?;
        Ok(())
    }

    /// Marks one AML hit (`review_status`); the session's status does not change. Never retried.
    pub async fn update_aml_hit_status(
        &self,
        case_id: &str,
        hit_id: &str,
        review_status: &str,
    ) -> Result<(), DiditError> {
        let body = json!({"hit_id": hit_id, "review_status": review_status});
        self.aml_write(
            case_id,
            Some(hit_id),
            review_status,
            "update-aml-hit-status",
            body,
        )
        .await
    }

    /// Sets the status of the session's (latest) AML check, not of the session. Never retried.
    pub async fn update_aml_status(&self, case_id: &str, status: &str) -> Result<(), DiditError> {
        let body = json!({ "status": status });
        self.aml_write(case_id, None, status, "update-aml-status", body)
            .await
    }

    /// Validates an AML change as desk-core does, then sends it once.
    async fn aml_write(
        &self,
        case_id: &str,
        hit_id: Option<&str>,
        status: &str,
        endpoint: &str,
        body: Value,
    ) -> Result<(), DiditError> {
        let request = request::AmlRequest {
            case_id: case_id.to_owned(),
            hit_id: hit_id.map(str::to_owned),
            status: status.to_owned(),
            reason_id: None,
            // The reviewer's reason stays in the desk's audit log; Didit takes none here.
            comment: None,
        };
        validate(request::validate_uuid(case_id))?;
        validate(request.validate_change())?;
        let _: Value = self
            .write(
                "AML update answer",
                Method::PATCH,
                &format!("/v3/session/{case_id}/{endpoint}/"),
                &body,
            )
            .await?;
        Ok(())
    }

    /// The session's review feed, oldest first.
    pub async fn list_reviews(
        &self,
        case_id: &str,
        offset: u64,
    ) -> Result<Page<ReviewEntry>, DiditError> {
        validate(request::validate_uuid(case_id))?;
        let page: wire::Page<wire::ReviewActivity> = self
            .read(
                "review feed",
                &format!("/v3/sessions/{case_id}/reviews/"),
                &[
                    ("ordering", "created_at".into()),
                    ("offset", offset.to_string()),
                    ("limit", "50".into()),
                ],
                &[Scope::GenericGet],
            )
            .await?;
        Ok(page_of(page, |r| Some(convert::review_activity(r))))
    }

    /// Adds a review decision (Approved, Declined or In Review) with a comment. Never retried.
    pub async fn create_review(
        &self,
        case_id: &str,
        new_status: &CaseStatus,
        comment: Option<&str>,
    ) -> Result<ReviewEntry, DiditError> {
        validate(request::validate_uuid(case_id))?;
        validate(request::validate_review(case_id, comment))?;
        if !matches!(
            new_status,
            CaseStatus::Approved | CaseStatus::Declined | CaseStatus::InReview
        ) {
            return Err(DiditError::InvalidInput(format!(
                "a review can set Approved, Declined or In Review, not {new_status}"
            )));
        }
        let body = json!({"new_status": new_status.as_str(), "comment": comment});
        let dto: wire::ReviewDto = self
            .write(
                "review",
                Method::POST,
                &format!("/v3/sessions/{case_id}/reviews/"),
                &body,
            )
            .await?;
        Ok(convert::review_activity(wire::ReviewActivity {
            actor_type: dto.actor_type,
            activity_type: dto.activity_type,
            actor_display: dto.actor_display,
            actor_email: None,
            previous_status: dto.previous_status,
            new_status: dto.new_status,
            comment: dto.comment,
            created_at: dto.created_at,
            user: dto.user,
        }))
    }

    async fn blocklist(
        &self,
        path: &str,
        prefix: &str,
        case_id: &str,
        items: BlocklistSelection,
    ) -> Result<String, DiditError> {
        validate(request::validate_uuid(case_id))?;
        if items.is_empty() {
            return Err(DiditError::InvalidInput(
                request::ActionError::NothingToBlocklist.to_string(),
            ));
        }
        let body = json!({
            "session_id": case_id,
            format!("{prefix}_face"): items.face,
            format!("{prefix}_document"): items.document,
            format!("{prefix}_phone"): items.phone,
            format!("{prefix}_email"): items.email,
        });
        let answer: Value = self
            .write("blocklist answer", Method::POST, path, &body)
            .await?;
        Ok(answer
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("done")
            .to_owned())
    }

    /// Blocklists the chosen items of a session. Never retried.
    pub async fn blocklist_add(
        &self,
        case_id: &str,
        items: BlocklistSelection,
    ) -> Result<String, DiditError> {
        self.blocklist("/v3/blocklist/add/", "blocklist", case_id, items)
            .await
    }

    /// Removes the chosen items of a session from the blocklist. Never retried.
    pub async fn blocklist_remove(
        &self,
        case_id: &str,
        items: BlocklistSelection,
    ) -> Result<String, DiditError> {
        self.blocklist("/v3/blocklist/remove/", "unblock", case_id, items)
            .await
    }

    /// One page of the blocklist (newest first), optionally of one kind. Media fields of the
    /// entries (face and document images) are never read.
    pub async fn blocklist_list(
        &self,
        kind: Option<BlocklistKind>,
        offset: u64,
    ) -> Result<Page<BlocklistEntry>, DiditError> {
        let mut params = vec![("offset", offset.to_string()), ("limit", "20".to_owned())];
        if let Some(kind) = kind {
            params.push(("item_type", kind.as_str().to_owned()));
        }
        let page: wire::Page<wire::BlocklistItem> = self
            .read("blocklist", "/v3/blocklist/", &params, &[Scope::GenericGet])
            .await?;
        Ok(page_of(page, |i| {
            Some(BlocklistEntry {
                // An entry of a type this desk does not know is left out, not guessed.
                kind: BlocklistKind::parse(i.kind.as_deref()?)?,
                case_id: i.session_id,
                case_number: i.session_number,
                blocklisted_at: i.blocklisted_at,
                value: i.document_number.or(i.phone_number).or(i.email),
            })
        }))
    }

    /// The account's workflows as (workflow id, name): per workflow the newest published
    /// version's label (else the newest version's); archived ones are left out.
    pub async fn workflows(&self) -> Result<Vec<(String, String)>, DiditError> {
        let mut rows = Vec::new();
        let mut offset = 0;
        loop {
            let list: wire::WorkflowList = self
                .read(
                    "workflow list",
                    "/v3/workflows/",
                    &[("offset", offset.to_string()), ("limit", "50".into())],
                    &[Scope::GenericGet],
                )
                .await?;
            match list {
                wire::WorkflowList::Bare(all) => {
                    rows.extend(all);
                    break;
                }
                wire::WorkflowList::Page(page) => {
                    let got = page.results.len() as u64;
                    let next = next_offset(page.next.as_deref());
                    rows.extend(page.results);
                    match next {
                        Some(n) if got > 0 && n > offset => offset = n,
                        _ => break,
                    }
                }
            }
        }
        let mut best: std::collections::HashMap<String, (bool, i64, String)> =
            std::collections::HashMap::new();
        for row in rows.into_iter().filter(|r| r.is_archived != Some(true)) {
            let (Some(id), Some(label)) = (row.workflow_id.or(row.uuid), row.workflow_label) else {
                continue;
            };
            let rank = (
                row.status.as_deref() == Some("published"),
                row.version.unwrap_or(0),
            );
            let entry = best.entry(id).or_insert((rank.0, rank.1, label.clone()));
            if (rank.0, rank.1) > (entry.0, entry.1) {
                *entry = (rank.0, rank.1, label);
            }
        }
        let mut out: Vec<(String, String)> = best
            .into_iter()
            .map(|(id, (_, _, name))| (id, name))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The score thresholds one workflow sets: (decline, review) for face match and liveness,
    /// each only when both are given. An unknown workflow is `None`, not an error.
    pub async fn workflow_thresholds(
        &self,
        workflow_id: &str,
    ) -> Result<Option<desk_core::model::case::WorkflowThresholds>, DiditError> {
        request::validate_uuid(workflow_id).map_err(|_| {
            DiditError::InvalidInput(format!("{workflow_id:?} is not a workflow id"))
        })?;
        let settings: wire::WorkflowSettings = match self
            .read(
                "workflow",
                &format!("/v3/workflows/{workflow_id}/"),
                &[],
                &[Scope::GenericGet],
            )
            .await
        {
            Ok(settings) => settings,
            Err(DiditError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let pair = |decline: Option<f64>, review: Option<f64>| decline.zip(review);
        let found = desk_core::model::case::WorkflowThresholds {
            face_match: pair(
                settings.face_match_score_decline_threshold,
                settings.face_match_score_review_threshold,
            ),
            liveness: pair(
                settings.face_liveness_score_decline_threshold,
                settings.face_liveness_score_review_threshold,
            ),
        };
        Ok((found.face_match.is_some() || found.liveness.is_some()).then_some(found))
    }

    /// One page of consolidated users.
    pub async fn users(&self, offset: u64) -> Result<Page<UserSummary>, DiditError> {
        let page: wire::Page<wire::UserDto> = self
            .read(
                "user list",
                "/v3/users/",
                &[("offset", offset.to_string()), ("limit", "50".into())],
                &[Scope::GenericGet],
            )
            .await?;
        Ok(page_of(page, |u| Some(user(u))))
    }

    /// One consolidated user by vendor_data.
    pub async fn user(&self, vendor_data: &str) -> Result<UserSummary, DiditError> {
        if vendor_data.trim().is_empty() || vendor_data.len() > 512 {
            return Err(DiditError::InvalidInput(
                "vendor_data must be 1 to 512 bytes".into(),
            ));
        }
        let mut url = self.url("/v3/users/", &[])?;
        url.path_segments_mut()
            .map_err(|_| DiditError::InvalidInput("bad base URL".into()))?
            .pop_if_empty()
            .push(vendor_data)
            .push("");
        let dto: wire::UserDto = self
            .read("user", url.path(), &[], &[Scope::GenericGet])
            .await?;
        Ok(user(dto))
    }
}

fn user(dto: wire::UserDto) -> UserSummary {
    UserSummary {
        internal_id: dto.didit_internal_id,
        vendor_data: dto.vendor_data,
        full_name: dto.full_name,
        status: dto.status,
        sessions: dto.session_count.unwrap_or(0),
        approved: dto.approved_count.unwrap_or(0),
        declined: dto.declined_count.unwrap_or(0),
        in_review: dto.in_review_count.unwrap_or(0),
        last_session_at: dto.last_session_at,
    }
}

/// A wire page as a client page; rows `convert` returns `None` for are dropped.
fn page_of<T, U>(page: wire::Page<T>, convert: impl FnMut(T) -> Option<U>) -> Page<U> {
    Page {
        count: page.count,
        next_offset: next_offset(page.next.as_deref()),
        items: page.results.into_iter().filter_map(convert).collect(),
    }
}

/// The offset of the next page, read from DRF's absolute `next` URL. Only the query is used:
/// the request always goes to our configured origin, never to a host named in a response.
fn next_offset(next: Option<&str>) -> Option<u64> {
    let url = Url::parse(next?).ok()?;
    let offset = url.query_pairs().find(|(k, _)| k == "offset")?.1;
    offset.parse().ok()
}

fn transport_error(failure: api_http::Transport) -> DiditError {
    match failure {
        api_http::Transport::Timeout => DiditError::Timeout,
        api_http::Transport::Connection(why) => DiditError::Connection(why.into()),
        api_http::Transport::BadKey => {
            DiditError::InvalidInput("the Didit API key has invalid characters".into())
        }
    }
}

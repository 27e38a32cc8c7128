//! The providers a profile reviews, behind one `CaseSource`: each case goes to the provider its
//! id names (VerifyHQ's carry its prefix, `verifyhq::ids`); the queue, filters and workflow names are the union of
//! what each says. A profile may hold Didit, VerifyHQ or both.

use desk_core::blocklist::{BlocklistKind, BlocklistPage};
use desk_core::model::case::{CaseSummary, QueueItem, ReviewEntry, WorkflowThresholds};
use desk_core::model::request::{BlocklistSelection, DecisionRequest};
use desk_core::ports::{
    AmlReviews, Blocklists, CaseSource, Fetched, PersonSessions, Progress, QueueFilter,
    QueueFilters, RateBudget, SourceError, WorkflowName, Workflows,
};
use desk_core::provider::Provider;
use didit::DiditClient;
use verifyhq::VerifyHqSource;

use crate::WatchList;

pub struct Providers {
    pub didit: Option<DiditClient>,
    pub verifyhq: Option<VerifyHqSource>,
    /// The VerifyHQ users the desk watches (the VerifyHQ source reads its copy).
    pub watch: WatchList,
}

/// Which provider a case id names: VerifyHQ's ids carry its prefix, Didit's are bare UUIDs.
fn provider_of(case_id: &str) -> Provider {
    if verifyhq::ids::is_verifyhq_case(case_id) {
        Provider::VerifyHq
    } else {
        Provider::Didit
    }
}

fn off(provider: Provider) -> SourceError {
    SourceError::Invalid(format!(
        "this profile does not review {} cases",
        provider.name()
    ))
}

impl Providers {
    fn didit(&self) -> Result<&DiditClient, SourceError> {
        self.didit.as_ref().ok_or_else(|| off(Provider::Didit))
    }

    fn verifyhq(&self) -> Result<&VerifyHqSource, SourceError> {
        self.verifyhq
            .as_ref()
            .ok_or_else(|| off(Provider::VerifyHq))
    }

    /// Which providers this profile reviews.
    pub fn enabled(&self) -> Vec<Provider> {
        let mut all = Vec::new();
        if self.didit.is_some() {
            all.push(Provider::Didit);
        }
        if self.verifyhq.is_some() {
            all.push(Provider::VerifyHq);
        }
        all
    }
}

/// Runs `$call` on the source of `$case`'s provider.
macro_rules! route {
    ($self:ident, $case:expr, |$s:ident| $call:expr) => {
        match provider_of($case) {
            Provider::Didit => {
                let $s = $self.didit()?;
                $call.await
            }
            Provider::VerifyHq => {
                let $s = $self.verifyhq()?;
                $call.await
            }
        }
    };
}

/// Both providers' answers side by side, joined (a provider the profile lacks adds nothing).
macro_rules! both {
    ($self:ident, |$s:ident| $call:expr) => {{
        let didit = async {
            match &$self.didit {
                Some($s) => $call.await,
                None => Ok(Vec::new()),
            }
        };
        let verifyhq = async {
            match &$self.verifyhq {
                Some($s) => $call.await,
                None => Ok(Vec::new()),
            }
        };
        let (a, b) = futures_util::future::join(didit, verifyhq).await;
        let mut all = a?;
        all.extend(b?);
        Ok(all)
    }};
}

impl CaseSource for Providers {
    fn provider_of(&self, case_id: &str) -> Provider {
        provider_of(case_id)
    }

    fn capabilities_of(&self, case_id: &str) -> desk_core::provider::Capabilities {
        match provider_of(case_id) {
            Provider::Didit => didit::CAPABILITIES,
            Provider::VerifyHq => verifyhq::ids::CAPABILITIES,
        }
    }

    async fn in_review(&self, progress: Progress<'_>) -> Result<Vec<QueueItem>, SourceError> {
        let fetched = self.in_review_each(progress).await?;
        match fetched.unread.into_iter().next() {
            Some((_, error)) => Err(error),
            None => Ok(fetched.items),
        }
    }

    async fn in_review_each(&self, progress: Progress<'_>) -> Result<Fetched, SourceError> {
        if self.verifyhq.is_some() {
            // Another desk of the team may have changed the list since the last sync.
            self.watch.refresh().await;
        }
        // Each provider's count adds up to the whole; a provider without a count (VerifyHQ)
        // leaves the total open.
        let counts = std::sync::Mutex::new([(0usize, None::<usize>); 2]);
        let report = |slot: usize, fetched: usize, total: Option<usize>| {
            let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
            c[slot] = (fetched, total);
            let fetched = c[0].0 + c[1].0;
            let didit_total = if self.didit.is_some() {
                c[0].1
            } else {
                Some(0)
            };
            let vhq_total = if self.verifyhq.is_some() {
                c[1].1
            } else {
                Some(0)
            };
            progress(fetched, didit_total.zip(vhq_total).map(|(a, b)| a + b));
        };
        let didit_progress = |f: usize, t: Option<usize>| report(0, f, t);
        let vhq_progress = |f: usize, t: Option<usize>| report(1, f, t);
        let didit = async {
            match &self.didit {
                Some(s) => s.in_review(&didit_progress).await,
                None => Ok(Vec::new()),
            }
        };
        let verifyhq = async {
            match &self.verifyhq {
                Some(s) => s.in_review(&vhq_progress).await,
                None => Ok(Vec::new()),
            }
        };
        let (a, b) = futures_util::future::join(didit, verifyhq).await;
        let mut all = Vec::new();
        let mut unread = Vec::new();
        for (provider, result) in [(Provider::Didit, a), (Provider::VerifyHq, b)] {
            match result {
                Ok(items) => all.extend(items),
                Err(error) => unread.push((provider, error)),
            }
        }
        // Only when every provider the profile reviews failed is the sync a failure.
        // (VerifyHQ watching nobody reads nothing, so it does not count as answering.)
        let watching = !self
            .watch
            .copy()
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty();
        let reading = self
            .enabled()
            .into_iter()
            .filter(|p| *p != Provider::VerifyHq || watching)
            .count();
        if !unread.is_empty() && unread.len() >= reading {
            return Err(unread.swap_remove(0).1);
        }
        Ok(Fetched { items: all, unread })
    }

    async fn summary(&self, case_id: &str) -> Result<CaseSummary, SourceError> {
        route!(self, case_id, |s| CaseSource::summary(s, case_id))
    }

    async fn decide(&self, request: &DecisionRequest) -> Result<(), SourceError> {
        route!(self, &request.case_id, |s| CaseSource::decide(s, request))
    }

    async fn reviews(&self, case_id: &str) -> Result<Vec<ReviewEntry>, SourceError> {
        route!(self, case_id, |s| CaseSource::reviews(s, case_id))
    }

    fn budgets(&self) -> Vec<RateBudget> {
        let didit = self.didit.iter().flat_map(CaseSource::budgets);
        didit
            .chain(self.verifyhq.iter().flat_map(CaseSource::budgets))
            .collect()
    }

    // The blocklist and AML reviews are Didit's: declared only when the profile has Didit.
    fn blocklists(&self) -> Option<&impl Blocklists> {
        self.didit.as_ref().map(|_| self)
    }

    fn aml_reviews(&self) -> Option<&impl AmlReviews> {
        self.didit.as_ref().map(|_| self)
    }

    fn workflows(&self) -> Option<&impl Workflows> {
        Some(self)
    }

    fn queue_filters(&self) -> Option<&impl QueueFilters> {
        Some(self)
    }

    fn person_sessions(&self) -> Option<&impl PersonSessions> {
        Some(self)
    }
}

impl Providers {
    /// Didit, for a case that is Didit's: the only provider here with a blocklist and AML
    /// reviews.
    fn didit_case(&self, case_id: &str) -> Result<&DiditClient, SourceError> {
        match provider_of(case_id) {
            Provider::Didit => self.didit(),
            other => Err(SourceError::lacking(&format!(
                "blocklist or AML review for {} cases",
                other.name()
            ))),
        }
    }
}

impl Blocklists for Providers {
    async fn blocklist(
        &self,
        case_id: &str,
        add: bool,
        items: BlocklistSelection,
    ) -> Result<(), SourceError> {
        self.didit_case(case_id)?
            .blocklist(case_id, add, items)
            .await
    }

    async fn blocklisted(&self, case_id: &str) -> Result<BlocklistSelection, SourceError> {
        self.didit_case(case_id)?.blocklisted(case_id).await
    }

    async fn blocklist_page(
        &self,
        kind: BlocklistKind,
        offset: u64,
    ) -> Result<BlocklistPage, SourceError> {
        self.didit()?.blocklist_page(kind, offset).await
    }
}

impl AmlReviews for Providers {
    async fn aml_hit_status(
        &self,
        case_id: &str,
        hit_id: &str,
        status: &str,
    ) -> Result<(), SourceError> {
        self.didit_case(case_id)?
            .aml_hit_status(case_id, hit_id, status)
            .await
    }

    async fn aml_check_status(&self, case_id: &str, status: &str) -> Result<(), SourceError> {
        self.didit_case(case_id)?
            .aml_check_status(case_id, status)
            .await
    }
}

impl Workflows for Providers {
    async fn workflow_thresholds(
        &self,
        workflow_id: &str,
    ) -> Result<Option<WorkflowThresholds>, SourceError> {
        route!(self, workflow_id, |s| Workflows::workflow_thresholds(
            s,
            workflow_id
        ))
    }

    async fn list(&self) -> Result<Vec<WorkflowName>, SourceError> {
        both!(self, |s| Workflows::list(s))
    }
}

impl QueueFilters for Providers {
    async fn in_review_matching(&self, filter: &QueueFilter) -> Result<Vec<String>, SourceError> {
        both!(self, |s| QueueFilters::in_review_matching(s, filter))
    }
}

impl PersonSessions for Providers {
    async fn sessions_of(&self, vendor_data: &str) -> Result<Vec<QueueItem>, SourceError> {
        both!(self, |s| PersonSessions::sessions_of(s, vendor_data))
    }
}

//! A case: one identity verification awaiting a human decision, described in provider-neutral
//! terms (case, check, warning, step to redo). Adapters build these from their wire formats and
//! drop every image, video and media link before a value of these types exists.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        /// Open set: values this build does not know are kept verbatim in `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// Where a case stands at the provider.
    CaseStatus {
        NotStarted => "Not Started",
        InProgress => "In Progress",
        InReview => "In Review",
        Approved => "Approved",
        Declined => "Declined",
        Resubmitted => "Resubmitted",
        Expired => "Expired",
        Abandoned => "Abandoned",
        AwaitingUser => "Awaiting User",
        KycExpired => "Kyc Expired",
    }
);

open_enum!(
    /// The outcome of one check.
    CheckStatus {
        Approved => "Approved",
        Declined => "Declined",
        InReview => "In Review",
        NotFinished => "Not Finished",
        Expired => "Expired",
        ResubRequested => "Resub Requested",
    }
);

open_enum!(
    /// What a check examined. The wire names are the provider's feature codes.
    CheckKind {
        IdDocument => "ID_VERIFICATION",
        Nfc => "NFC",
        Liveness => "LIVENESS",
        FaceMatch => "FACE_MATCH",
        ProofOfAddress => "POA",
        Phone => "PHONE",
        Email => "EMAIL",
        Aml => "AML",
        DatabaseValidation => "DATABASE_VALIDATION",
        IpAnalysis => "IP_ANALYSIS",
        Questionnaire => "QUESTIONNAIRE",
        DocumentAi => "DOCUMENT_AI",
    }
);

/// How serious a warning is; ordered so that the most serious sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
}

impl Severity {
    /// Unknown log types are treated as warnings: shown, never silently demoted.
    pub fn from_log_type(value: &str) -> Self {
        match value {
            "error" => Self::Error,
            "information" => Self::Information,
            _ => Self::Warning,
        }
    }
}

/// A decision the reviewer can take on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Verdict {
    Approve,
    Decline,
    Resubmit,
}

impl Verdict {
    /// The status the provider records for this verdict.
    pub fn status(self) -> CaseStatus {
        match self {
            Self::Approve => CaseStatus::Approved,
            Self::Decline => CaseStatus::Declined,
            Self::Resubmit => CaseStatus::Resubmitted,
        }
    }
}

/// Another case this one is linked to (duplicate face, document, phone, IP...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RelatedCase {
    pub case_id: Option<String>,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    #[ts(type = "string | null")]
    pub status: Option<CaseStatus>,
    pub similarity: Option<f64>,
    pub blocklisted: bool,
    /// Which signal links them, e.g. "face" or "POSSIBLE_DUPLICATED_USER".
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Warning {
    pub check: String,
    pub code: String,
    pub severity: Severity,
    pub short_description: String,
    pub long_description: String,
    pub step: Option<String>,
    /// Scalar context from the provider (no links, no nested objects).
    pub context: BTreeMap<String, String>,
}

/// A score and the thresholds it is judged against, where the provider gives them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Score {
    pub value: f64,
    /// At or below this the check is declined.
    pub decline_at: Option<f64>,
    /// At or below this the check needs review.
    pub review_at: Option<f64>,
    /// True when a higher value is worse (AML risk), false when higher is better (similarity).
    pub higher_is_riskier: bool,
    /// Where the thresholds come from (None: the provider's own decision gave them).
    #[serde(default)]
    pub thresholds_from: Option<ThresholdSource>,
}

/// Whose thresholds a score is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdSource {
    /// The session's workflow settings (`GET /v3/workflows/{id}`).
    Workflow,
    /// Didit's documented values, because the workflow did not say.
    DocumentedDefault,
}

/// What the queue needs of a fetched summary: its workflow and its warnings' codes (kept beside
/// the summary so a page of 10,000 rows never decodes 10,000 summaries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub case_id: String,
    pub workflow_id: Option<String>,
    pub warnings: Vec<(Severity, String)>,
}

impl CaseFacts {
    pub fn of(summary: &CaseSummary) -> Self {
        Self {
            case_id: summary.case_id.clone(),
            workflow_id: summary.workflow_id.clone(),
            warnings: summary
                .warnings
                .iter()
                .map(|w| (w.severity, w.code.clone()))
                .collect(),
        }
    }

    /// The most serious warning codes, each once, for the queue's "top warnings" column.
    pub fn top_warnings(&self, count: usize) -> Vec<String> {
        let mut codes: Vec<(Severity, &str)> = self
            .warnings
            .iter()
            .map(|(s, c)| (*s, c.as_str()))
            .collect();
        codes.sort();
        codes.dedup_by(|a, b| a.1 == b.1);
        codes
            .into_iter()
            .take(count)
            .map(|(_, c)| c.to_owned())
            .collect()
    }

    pub fn has_warning(&self, code: &str) -> bool {
        self.warnings.iter().any(|(_, c)| c == code)
    }
}

/// A workflow's score thresholds (decline at or below, review at or below), where it sets them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkflowThresholds {
    pub face_match: Option<(f64, f64)>,
    pub liveness: Option<(f64, f64)>,
}

impl WorkflowThresholds {
    /// Judges the summary's face-match and liveness scores against these thresholds, where set.
    pub fn apply(&self, summary: &mut CaseSummary) {
        for check in &mut summary.checks {
            let set = match check.kind {
                CheckKind::FaceMatch => self.face_match,
                CheckKind::Liveness => self.liveness,
                _ => None,
            };
            if let (Some((decline, review)), Some(score)) = (set, check.score.as_mut()) {
                score.decline_at = Some(decline);
                score.review_at = Some(review);
                score.thresholds_from = Some(ThresholdSource::Workflow);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Check {
    #[ts(type = "string")]
    pub kind: CheckKind,
    pub step: String,
    #[ts(type = "string")]
    pub status: CheckStatus,
    pub score: Option<Score>,
    /// Short facts worth a glance ("method: PASSIVE", "VPN or Tor: yes").
    pub facts: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentFacts {
    pub step: String,
    pub document_type: Option<String>,
    pub issuing_country: Option<String>,
    pub expiry: Option<String>,
    pub document_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub full_name: Option<String>,
    pub nationality: Option<String>,
    pub gender: Option<String>,
    #[ts(type = "number | null")]
    pub age: Option<i64>,
}

/// What the case was expected to show against what was read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AmlHit {
    /// The provider's id of the hit, needed to mark it reviewed.
    pub hit_id: Option<String>,
    pub matched_name: String,
    pub datasets: Vec<String>,
    pub match_score: Option<f64>,
    pub risk_score: Option<f64>,
    pub review_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IpFacts {
    pub ip_address: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub city: Option<String>,
    pub vpn_or_tor: bool,
    pub data_center: bool,
    pub distance_from_document_km: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ContactFacts {
    #[ts(type = "string")]
    pub kind: CheckKind,
    pub value: String,
    pub verified: bool,
    pub flags: Vec<String>,
}

/// A step the reviewer may ask the person to redo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Step {
    pub step: String,
    #[ts(type = "string")]
    pub kind: CheckKind,
    #[ts(type = "string")]
    pub status: CheckStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewEntry {
    pub actor: String,
    /// API_KEY, CONSOLE_USER or SYSTEM: tells a reviewer's change from Didit's own.
    pub actor_type: Option<String>,
    /// STATUS_UPDATED, COMMENT, AML_HIT_STATUS_UPDATED, …
    pub activity_type: Option<String>,
    #[ts(type = "string | null")]
    pub previous_status: Option<CaseStatus>,
    #[ts(type = "string | null")]
    pub new_status: Option<CaseStatus>,
    pub comment: Option<String>,
    pub at: Option<String>,
}

/// Everything a reviewer needs to decide one case, and nothing that is a picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseSummary {
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    #[ts(type = "string")]
    pub status: CaseStatus,
    pub workflow_id: Option<String>,
    pub vendor_data: Option<String>,
    pub created_at: Option<String>,
    pub checks: Vec<Check>,
    /// Sorted: errors, then warnings, then information.
    pub warnings: Vec<Warning>,
    pub documents: Vec<DocumentFacts>,
    pub mismatches: Vec<Mismatch>,
    pub aml_hits: Vec<AmlHit>,
    pub ip: Vec<IpFacts>,
    pub contacts: Vec<ContactFacts>,
    pub related: Vec<RelatedCase>,
    /// Steps that can be named in a resubmission.
    pub steps: Vec<Step>,
    pub reviews: Vec<ReviewEntry>,
}

impl CaseSummary {
    /// A summary that knows only who and where the case is; the provider fills in what it has.
    pub fn bare(case_id: String, status: CaseStatus) -> Self {
        CaseSummary {
            case_id,
            case_number: None,
            status,
            workflow_id: None,
            vendor_data: None,
            created_at: None,
            checks: vec![],
            warnings: vec![],
            documents: vec![],
            mismatches: vec![],
            aml_hits: vec![],
            ip: vec![],
            contacts: vec![],
            related: vec![],
            steps: vec![],
            reviews: vec![],
        }
    }

    /// Steps the provider would pick by itself for a resubmission: attempted and not approved.
    pub fn default_resubmit_steps(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| {
                matches!(
                    s.status,
                    CheckStatus::Declined
                        | CheckStatus::InReview
                        | CheckStatus::NotFinished
                        | CheckStatus::Expired
                )
            })
            .collect()
    }
}

/// One line of the queue: what the list endpoint says about a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueItem {
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    #[ts(type = "string")]
    pub status: CaseStatus,
    pub vendor_data: Option<String>,
    pub full_name: Option<String>,
    pub country: Option<String>,
    pub document_type: Option<String>,
    pub created_at: Option<String>,
    #[ts(type = "Array<[string, string]>")]
    pub checks: Vec<(CheckKind, CheckStatus)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_thresholds_replace_the_documented_ones_where_the_workflow_sets_them() {
        let score = |value| Score {
            value,
            decline_at: Some(40.0),
            review_at: Some(60.0),
            higher_is_riskier: false,
            thresholds_from: Some(ThresholdSource::DocumentedDefault),
        };
        let mut summary =
            crate::testing::summary_of(&crate::testing::item(1), CaseStatus::InReview);
        for kind in [CheckKind::FaceMatch, CheckKind::Liveness] {
            summary.checks.push(Check {
                kind,
                step: "node".into(),
                status: CheckStatus::from("In Review"),
                score: Some(score(52.0)),
                facts: vec![],
            });
        }
        WorkflowThresholds {
            face_match: Some((35.0, 55.0)),
            liveness: None,
        }
        .apply(&mut summary);
        let face = summary.checks[0].score.unwrap();
        assert_eq!((face.decline_at, face.review_at), (Some(35.0), Some(55.0)));
        assert_eq!(face.thresholds_from, Some(ThresholdSource::Workflow));
        assert_eq!(
            summary.checks[1].score,
            Some(score(52.0)),
            "liveness unset: unchanged"
        );
    }

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(CaseStatus::from("In Review"), CaseStatus::InReview);
        let novel = CaseStatus::from("Pending Second Look");
        assert_eq!(novel.as_str(), "Pending Second Look");
        let json = serde_json::to_string(&novel).unwrap();
        assert_eq!(json, "\"Pending Second Look\"");
    }

    #[test]
    fn severity_orders_errors_first() {
        let mut all = vec![Severity::Information, Severity::Error, Severity::Warning];
        all.sort();
        assert_eq!(
            all,
            vec![Severity::Error, Severity::Warning, Severity::Information]
        );
        assert_eq!(Severity::from_log_type("critical"), Severity::Warning);
    }
}

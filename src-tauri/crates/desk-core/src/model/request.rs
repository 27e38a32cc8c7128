//! What a reviewer asks the provider to do, validated before anything leaves the desk.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::case::{CheckKind, Verdict};

/// Longest comment the provider stores (api-facts A11.2).
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// An optional comment, trimmed (empty is none), at most `MAX_COMMENT_CHARS` characters.
pub fn optional_comment(comment: Option<&str>) -> Result<Option<String>, ActionError> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    match comment {
        Some(c) if c.chars().count() > MAX_COMMENT_CHARS => {
            Err(ActionError::CommentTooLong(c.chars().count()))
        }
        c => Ok(c.map(str::to_owned)),
    }
}

/// Languages the provider's notification email supports (api-facts A10.1).
pub const EMAIL_LANGUAGES: [&str; 48] = [
    "en", "es", "fr", "de", "pt", "it", "ar", "bg", "bn", "ca", "cs", "da", "el", "et", "fa", "fi",
    "he", "hi", "hr", "hu", "hy", "id", "ja", "ka", "ko", "lt", "lv", "mk", "ms", "nl", "no", "pl",
    "pt-BR", "ro", "ru", "sk", "sl", "so", "sr", "sv", "th", "tr", "uk", "uz", "vi", "zh", "zh-CN",
    "zh-TW",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("the case id {0:?} is not a valid session id")]
    InvalidCaseId(String),
    #[error("the comment is {0} characters long; the most allowed is {MAX_COMMENT_CHARS}")]
    CommentTooLong(usize),
    #[error("a {0} needs a comment")]
    CommentRequired(&'static str),
    #[error("{0:?} is not a valid email address")]
    InvalidEmail(String),
    #[error("{0:?} is not a supported email language")]
    InvalidLanguage(String),
    #[error("steps to redo can only be named when asking for a resubmission")]
    StepsWithoutResubmit,
    #[error("choose at least one thing to blocklist")]
    NothingToBlocklist,
    #[error("{0}")]
    InvalidAml(String),
}

/// Ask the person by email, in this language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EmailNotice {
    pub address: String,
    pub language: String,
}

/// A step the person must redo, as the provider names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RedoStep {
    pub step: String,
    #[ts(type = "string")]
    pub kind: CheckKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecisionRequest {
    pub case_id: String,
    pub verdict: Verdict,
    pub comment: Option<String>,
    pub notify: Option<EmailNotice>,
    /// Only for a resubmission; empty lets the provider choose the failed steps.
    pub redo: Vec<RedoStep>,
    /// The reason picked from the team's list (kept as data in the outbox and the audit log).
    #[serde(default)]
    pub reason_id: Option<String>,
}

/// The kinds of item a case can put on the blocklist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlocklistSelection {
    pub face: bool,
    pub document: bool,
    pub phone: bool,
    pub email: bool,
}

impl BlocklistSelection {
    pub fn is_empty(&self) -> bool {
        !(self.face || self.document || self.phone || self.email)
    }
}

/// How a reviewer can mark one AML hit (Didit's `review_status` values).
pub const AML_HIT_STATUSES: [&str; 4] = [
    "Unreviewed",
    "Confirmed Match",
    "False Positive",
    "Inconclusive",
];

/// Statuses the AML check as a whole can be set to (it does not change the session's status).
pub const AML_CHECK_STATUSES: [&str; 5] = [
    "Approved",
    "Declined",
    "In Review",
    "Not Finished",
    "Resub Requested",
];

/// A reviewer's call on an AML hit (`hit_id`), or on the case's AML check as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AmlRequest {
    pub case_id: String,
    /// None: the AML check itself.
    pub hit_id: Option<String>,
    /// One of `AML_HIT_STATUSES` for a hit, `AML_CHECK_STATUSES` for the check.
    pub status: String,
    pub reason_id: Option<String>,
    /// Why (required: this is a compliance decision).
    pub comment: Option<String>,
}

impl AmlRequest {
    /// The whole request: what to change, and why.
    pub fn validate(&self) -> Result<(), ActionError> {
        validate_comment(self.comment.as_deref())?;
        if self
            .comment
            .as_deref()
            .is_none_or(|c| c.trim().chars().count() < 3)
        {
            return Err(ActionError::CommentRequired(
                "an AML review (at least 3 characters)",
            ));
        }
        self.validate_change()
    }

    /// What is sent to the provider: the case, the hit and a status it accepts.
    pub fn validate_change(&self) -> Result<(), ActionError> {
        validate_case_id(&self.case_id)?;
        let allowed: &[&str] = match &self.hit_id {
            Some(id) => {
                let id_ok = !id.is_empty()
                    && id.len() <= 128
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !id_ok {
                    return Err(ActionError::InvalidAml(format!(
                        "{:?} is not an AML hit id",
                        id.chars().take(64).collect::<String>()
                    )));
                }
                &AML_HIT_STATUSES
            }
            None => &AML_CHECK_STATUSES,
        };
        if !allowed.contains(&self.status.as_str()) {
            return Err(ActionError::InvalidAml(format!(
                "{:?} is not one of {}",
                self.status.chars().take(40).collect::<String>(),
                allowed.join(", ")
            )));
        }
        Ok(())
    }
}

/// An id a provider gave (a verification or a user): 1 to 64 letters, digits, `_` or `-`, so it
/// is safe in a URL path.
pub fn valid_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A case id: a session UUID (Didit's), or a provider's name in lowercase, a colon and its own
/// id (`verifyhq:ver_abc123`). Anything else never reaches a URL path.
pub fn validate_case_id(id: &str) -> Result<(), ActionError> {
    let ok = match id.split_once(':') {
        Some((name, own)) => {
            (1..=16).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_lowercase())
                && valid_provider_id(own)
        }
        None => is_uuid(id),
    };
    if ok {
        Ok(())
    } else {
        Err(ActionError::InvalidCaseId(id.chars().take(64).collect()))
    }
}

/// A Didit session (or workflow) id: a UUID, and nothing else.
pub fn validate_uuid(id: &str) -> Result<(), ActionError> {
    if is_uuid(id) {
        Ok(())
    } else {
        Err(ActionError::InvalidCaseId(id.chars().take(64).collect()))
    }
}

fn is_uuid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn validate_email(address: &str) -> Result<(), ActionError> {
    let invalid = || ActionError::InvalidEmail(address.chars().take(254).collect());
    if address.len() > 254 || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = address.split_once('@').ok_or_else(invalid)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if local.is_empty() || local.len() > 64 || !domain_ok {
        return Err(invalid());
    }
    Ok(())
}

fn validate_comment(comment: Option<&str>) -> Result<(), ActionError> {
    let chars = comment.map_or(0, |c| c.chars().count());
    if chars > MAX_COMMENT_CHARS {
        return Err(ActionError::CommentTooLong(chars));
    }
    Ok(())
}

impl DecisionRequest {
    pub fn validate(&self) -> Result<(), ActionError> {
        validate_case_id(&self.case_id)?;
        validate_comment(self.comment.as_deref())?;
        if let Some(notice) = &self.notify {
            validate_email(&notice.address)?;
            if !EMAIL_LANGUAGES.contains(&notice.language.as_str()) {
                return Err(ActionError::InvalidLanguage(
                    notice.language.chars().take(16).collect(),
                ));
            }
        }
        if !self.redo.is_empty() && self.verdict != Verdict::Resubmit {
            return Err(ActionError::StepsWithoutResubmit);
        }
        Ok(())
    }
}

/// Checks a review-feed entry before it is sent.
pub fn validate_review(case_id: &str, comment: Option<&str>) -> Result<(), ActionError> {
    validate_case_id(case_id)?;
    validate_comment(comment)
}

/// What crosses IPC into the action path, decoded from any JSON the window might send: a
/// decode error or a validation error, never a panic (the fuzz targets' property, in CI).
#[cfg(test)]
mod ipc_decoding {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            "\\PC{0,40}".prop_map(serde_json::Value::from),
            // Shapes the decoders look for, so decoding gets past the first field.
            prop::sample::select(vec![
                "approve",
                "decline",
                "resubmit",
                "face",
                "email",
                "en",
                "ar",
                "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00",
                "verifyhq:ver_1",
                "a@b.tn",
            ])
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "case_id",
                        "verdict",
                        "comment",
                        "reason_id",
                        "steps",
                        "notify",
                        "address",
                        "language",
                        "face",
                        "document",
                        "phone",
                        "email",
                        "hit_id",
                        "status",
                        "add",
                    ])
                    .prop_map(str::to_owned),
                    inner,
                    0..8,
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_decodes_to_an_error_or_a_request_that_validates_without_panicking(value in json()) {
            if let Ok(request) = serde_json::from_value::<DecisionRequest>(value.clone()) {
                if request.validate().is_ok() {
                    prop_assert!(validate_case_id(&request.case_id).is_ok());
                    prop_assert!(validate_comment(request.comment.as_deref()).is_ok());
                }
            }
            if let Ok(request) = serde_json::from_value::<crate::model::action::BlocklistRequest>(value.clone()) {
                let _ = validate_case_id(&request.case_id);
                let _ = (request.items().is_empty(), validate_comment(request.comment.as_deref()));
            }
            if let Ok(request) = serde_json::from_value::<AmlRequest>(value) {
                let _ = request.validate();
            }
        }

        #[test]
        fn any_text_as_a_case_id_or_email_is_judged_without_panicking(text in "\\PC{0,300}") {
            let _ = validate_case_id(&text);
            let _ = validate_email(&text);
            let _ = crate::lookup::LookupQuery::parse(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> DecisionRequest {
        DecisionRequest {
            case_id: "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00".into(),
            verdict: Verdict::Decline,
            comment: Some("Document photo was blurred — صورة غير واضحة".into()),
            notify: None,
            redo: vec![],
            reason_id: None,
        }
    }

    #[test]
    fn a_plain_decision_is_valid() {
        assert_eq!(request().validate(), Ok(()));
    }

    #[test]
    fn ids_that_could_change_a_url_path_are_rejected() {
        for bad in [
            "../../blocklist/add",
            "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a0/",
            "",
            "x",
        ] {
            let mut r = request();
            r.case_id = bad.into();
            assert!(
                matches!(r.validate(), Err(ActionError::InvalidCaseId(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn oversized_comments_are_rejected_by_characters_not_bytes() {
        let mut r = request();
        r.comment = Some("ع".repeat(MAX_COMMENT_CHARS));
        assert_eq!(r.validate(), Ok(()));
        r.comment = Some("a".repeat(MAX_COMMENT_CHARS + 1));
        assert_eq!(
            r.validate(),
            Err(ActionError::CommentTooLong(MAX_COMMENT_CHARS + 1))
        );
    }

    #[test]
    fn emails_and_languages_are_checked() {
        for bad in [
            "ana",
            "ana@",
            "@x.tn",
            "ana@tn",
            "a b@x.tn",
            "a@@x.tn",
            "ana@x..tn",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        assert!(validate_email("ana.ruiz+kyc@mail.example.tn").is_ok());
        let mut r = request();
        r.notify = Some(EmailNotice {
            address: "ana@example.tn".into(),
            language: "klingon".into(),
        });
        assert!(matches!(r.validate(), Err(ActionError::InvalidLanguage(_))));
    }

    #[test]
    fn steps_belong_to_resubmissions_only() {
        let mut r = request();
        r.redo = vec![RedoStep {
            step: "feature_ocr_1".into(),
            kind: CheckKind::IdDocument,
        }];
        assert_eq!(r.validate(), Err(ActionError::StepsWithoutResubmit));
        r.verdict = Verdict::Resubmit;
        assert_eq!(r.validate(), Ok(()));
    }
}

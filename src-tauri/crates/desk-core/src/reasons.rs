//! Decision reasons, keyed by the warning codes they answer. Teams can replace the built-in list
//! with a `reasons.json` in the data root; the UI puts the reasons matching a case's warnings
//! first, and digits 1-9 pick them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::case::Verdict;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reason {
    pub id: String,
    pub label: String,
    pub verdicts: Vec<Verdict>,
    /// Warning codes this reason typically answers.
    #[serde(default)]
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonsError {
    #[error("reasons.json is not a list of reasons: {0}")]
    Malformed(String),
    #[error("reason {0:?} needs an id, a label of 1 to 200 characters and at least one verdict")]
    Invalid(String),
    #[error("every verdict needs at least one reason; {0:?} has none")]
    Missing(Verdict),
}

fn reason(id: &str, label: &str, verdicts: &[Verdict], codes: &[&str]) -> Reason {
    Reason {
        id: id.to_owned(),
        label: label.to_owned(),
        verdicts: verdicts.to_vec(),
        codes: codes.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// The built-in list.
pub fn default_reasons() -> Vec<Reason> {
    use Verdict::{Approve, Decline, Resubmit};
    vec![
        reason(
            "checks-ok",
            "Checks reviewed and consistent",
            &[Approve],
            &[],
        ),
        reason(
            "false-positive-aml",
            "AML hit is a false positive",
            &[Approve],
            &["POSSIBLE_MATCH_FOUND"],
        ),
        reason(
            "duplicate-explained",
            "Duplicate explained (same person, earlier attempt)",
            &[Approve],
            &[
                "POSSIBLE_DUPLICATED_USER",
                "POSSIBLE_DUPLICATED_FACE",
                "DUPLICATED_FACE",
            ],
        ),
        reason(
            "document-fraud",
            "Document appears altered or not genuine",
            &[Decline],
            &[
                "PORTRAIT_MANIPULATION_DETECTED",
                "PRINTED_COPY_DETECTED",
                "SCREEN_CAPTURE_DETECTED",
                "PUBLIC_DOCUMENT_IMAGE_DETECTED",
                "SUSPECTED_DOCUMENT_MANIPULATION",
            ],
        ),
        reason(
            "spoof",
            "Liveness attack or face mismatch",
            &[Decline],
            &[
                "LIVENESS_FACE_ATTACK",
                "LOW_FACE_MATCH_SIMILARITY",
                "NO_FACE_DETECTED",
            ],
        ),
        reason(
            "aml-match",
            "Confirmed watchlist match",
            &[Decline],
            &["POSSIBLE_MATCH_FOUND"],
        ),
        reason(
            "blocklisted",
            "Blocklisted face, document, phone or email",
            &[Decline],
            &[
                "FACE_IN_BLOCKLIST",
                "ID_DOCUMENT_IN_BLOCKLIST",
                "PHONE_NUMBER_IN_BLOCKLIST",
                "EMAIL_IN_BLOCKLIST",
            ],
        ),
        reason(
            "data-mismatch",
            "Data does not match what the person declared",
            &[Decline, Resubmit],
            &[
                "FULL_NAME_MISMATCH_WITH_PROVIDED",
                "DOB_MISMATCH_WITH_PROVIDED",
                "DATA_INCONSISTENT",
                "NFC_AND_OCR_DATA_NOT_SAME",
            ],
        ),
        reason(
            "expired",
            "Document expired",
            &[Decline, Resubmit],
            &["DOCUMENT_EXPIRED", "POA_DOCUMENT_EXPIRED"],
        ),
        reason(
            "unreadable",
            "Document unreadable: please retake it",
            &[Resubmit],
            &[
                "MRZ_NOT_DETECTED",
                "MRZ_VALIDATION_FAILED",
                "COULD_NOT_RECOGNIZE_DOCUMENT",
                "DOCUMENT_NUMBER_NOT_DETECTED",
                "BARCODE_NOT_DETECTED",
                "QR_NOT_DETECTED",
            ],
        ),
        reason(
            "selfie-quality",
            "Selfie quality too low: please retake it",
            &[Resubmit],
            &[
                "LOW_LIVENESS_SCORE",
                "LOW_FACE_QUALITY",
                "LOW_FACE_LUMINANCE",
                "HIGH_FACE_LUMINANCE",
                "MULTIPLE_FACES_DETECTED",
            ],
        ),
        reason(
            "other",
            "Other (explain in the comment)",
            &[Approve, Decline, Resubmit],
            &[],
        ),
    ]
}

/// Reads a team's list; every verdict must keep at least one reason.
pub fn parse_reasons(json: &str) -> Result<Vec<Reason>, ReasonsError> {
    let reasons: Vec<Reason> =
        serde_json::from_str(json).map_err(|e| ReasonsError::Malformed(e.to_string()))?;
    for r in &reasons {
        let label = r.label.trim().chars().count();
        if r.id.trim().is_empty() || label == 0 || label > 200 || r.verdicts.is_empty() {
            return Err(ReasonsError::Invalid(r.id.chars().take(40).collect()));
        }
    }
    for verdict in [Verdict::Approve, Verdict::Decline, Verdict::Resubmit] {
        if !reasons.iter().any(|r| r.verdicts.contains(&verdict)) {
            return Err(ReasonsError::Missing(verdict));
        }
    }
    Ok(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_is_valid() {
        let json = serde_json::to_string(&default_reasons()).unwrap();
        assert_eq!(parse_reasons(&json).unwrap(), default_reasons());
    }

    #[test]
    fn a_team_list_is_checked() {
        let ok = r#"[{"id":"a","label":"Fine","verdicts":["Approve","Decline","Resubmit"]}]"#;
        assert_eq!(parse_reasons(ok).unwrap()[0].codes, Vec::<String>::new());
        assert!(matches!(
            parse_reasons("{"),
            Err(ReasonsError::Malformed(_))
        ));
        let missing = r#"[{"id":"a","label":"Fine","verdicts":["Approve"]}]"#;
        assert_eq!(
            parse_reasons(missing),
            Err(ReasonsError::Missing(Verdict::Decline))
        );
        let blank = r#"[{"id":"a","label":" ","verdicts":["Approve","Decline","Resubmit"]}]"#;
        assert!(matches!(
            parse_reasons(blank),
            Err(ReasonsError::Invalid(_))
        ));
    }
}

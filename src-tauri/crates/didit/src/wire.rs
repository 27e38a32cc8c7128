//! Didit v3 wire DTOs. Only the fields the desk uses are declared: serde ignores the rest, so
//! every media field (images, videos, files) is dropped here simply by not existing. Arrays may
//! be missing, `null` or `[]`; enums are plain strings so new values never break a parse.
//! Every struct defaults as a whole (`#[serde(default)]`): a missing field is simply absent.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Accepts a missing key, `null` or an array.
fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub results: Vec<T>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeatureState {
    pub feature: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionRow {
    pub session_id: String,
    pub session_number: Option<i64>,
    pub status: Option<String>,
    pub vendor_data: Option<String>,
    pub full_name: Option<String>,
    pub country: Option<String>,
    pub document_type: Option<String>,
    pub created_at: Option<String>,
    #[serde(deserialize_with = "list")]
    pub features: Vec<FeatureState>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WarningDto {
    pub feature: Option<String>,
    pub risk: Option<String>,
    pub additional_data: Option<Value>,
    pub log_type: Option<String>,
    pub short_description: Option<String>,
    pub long_description: Option<String>,
    pub node_id: Option<String>,
}

/// Declares a feature item: the fields every feature shares (`node_id`, `status`, `warnings`)
/// plus its own. Written out rather than `#[serde(flatten)]`, which buffers every item.
macro_rules! feature_item {
    ($name:ident { $($body:tt)* }) => {
        #[derive(Debug, Default, Deserialize)]
        #[serde(default)]
        pub struct $name {
            pub node_id: Option<String>,
            pub status: Option<String>,
            #[serde(deserialize_with = "list")]
            pub warnings: Vec<WarningDto>,
            $($body)*
        }
    };
}

feature_item!(ItemBase {});

feature_item!(IdVerification {
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub age: Option<f64>,
    pub expiration_date: Option<String>,
    pub issuing_state: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub gender: Option<String>,
    pub nationality: Option<String>,
    #[serde(deserialize_with = "list")]
    pub matches: Vec<MatchDto>,
});

feature_item!(NfcVerification {
    pub authenticity: Option<Value>,
    pub nfc_skip_reason: Option<String>,
});

/// A link to another session (liveness face search, document duplicates).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MatchDto {
    pub status: Option<String>,
    pub session_id: Option<String>,
    pub session_number: Option<i64>,
    pub is_blocklisted: Option<bool>,
    pub similarity_percentage: Option<f64>,
}

feature_item!(LivenessCheck {
    pub method: Option<String>,
    pub score: Option<f64>,
    pub age_estimation: Option<f64>,
    #[serde(deserialize_with = "list")]
    pub matches: Vec<MatchDto>,
});

feature_item!(FaceMatch {
    pub score: Option<f64>,
});

feature_item!(PoaVerification {
    pub document_type: Option<String>,
    pub issuing_state: Option<String>,
    pub issuer: Option<String>,
});

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Carrier {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

feature_item!(PhoneVerification {
    pub full_number: Option<String>,
    pub carrier: Option<Carrier>,
    pub is_disposable: Option<bool>,
    pub is_virtual: Option<bool>,
    pub verified_at: Option<String>,
});

feature_item!(EmailVerification {
    pub email: Option<String>,
    pub is_breached: Option<bool>,
    pub is_disposable: Option<bool>,
    pub is_undeliverable: Option<bool>,
    pub verified_at: Option<String>,
});

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AmlHitDto {
    pub id: Option<String>,
    pub caption: Option<String>,
    #[serde(deserialize_with = "list")]
    pub datasets: Vec<String>,
    pub match_score: Option<f64>,
    pub risk_score: Option<f64>,
    pub score: Option<f64>,
    pub review_status: Option<String>,
}

feature_item!(AmlScreening {
    pub total_hits: Option<i64>,
    pub score: Option<f64>,
    #[serde(deserialize_with = "list")]
    pub hits: Vec<AmlHitDto>,
});

feature_item!(DatabaseValidation {
    pub match_type: Option<String>,
    pub issuing_state: Option<String>,
});

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IpLocation {
    pub distance_from_id_document: Option<Value>,
}

feature_item!(IpAnalysis {
    pub ip_address: Option<String>,
    pub ip_country: Option<String>,
    pub ip_country_code: Option<String>,
    pub ip_city: Option<String>,
    pub is_vpn_or_tor: Option<bool>,
    pub is_data_center: Option<bool>,
    pub ip: Option<IpLocation>,
    /// v2 payloads wrapped the location blocks here.
    pub locations_info: Option<Value>,
});

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewDto {
    pub user: Option<Value>,
    pub actor_type: Option<String>,
    pub activity_type: Option<String>,
    pub actor_display: Option<String>,
    pub previous_status: Option<String>,
    pub new_status: Option<String>,
    pub comment: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExpectedDetails {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub identification_number: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    pub session_id: String,
    pub session_number: Option<i64>,
    pub status: Option<String>,
    pub workflow_id: Option<String>,
    pub vendor_data: Option<String>,
    pub created_at: Option<String>,
    pub expected_details: Option<ExpectedDetails>,
    #[serde(deserialize_with = "list")]
    pub id_verifications: Vec<IdVerification>,
    #[serde(deserialize_with = "list")]
    pub nfc_verifications: Vec<NfcVerification>,
    #[serde(deserialize_with = "list")]
    pub liveness_checks: Vec<LivenessCheck>,
    #[serde(deserialize_with = "list")]
    pub face_matches: Vec<FaceMatch>,
    #[serde(deserialize_with = "list")]
    pub poa_verifications: Vec<PoaVerification>,
    #[serde(deserialize_with = "list")]
    pub phone_verifications: Vec<PhoneVerification>,
    #[serde(deserialize_with = "list")]
    pub email_verifications: Vec<EmailVerification>,
    #[serde(deserialize_with = "list")]
    pub aml_screenings: Vec<AmlScreening>,
    #[serde(deserialize_with = "list")]
    pub database_validations: Vec<DatabaseValidation>,
    #[serde(deserialize_with = "list")]
    pub ip_analyses: Vec<IpAnalysis>,
    #[serde(deserialize_with = "list")]
    pub questionnaire_responses: Vec<ItemBase>,
    #[serde(deserialize_with = "list")]
    pub document_ai_documents: Vec<ItemBase>,
    #[serde(deserialize_with = "list")]
    pub reviews: Vec<ReviewDto>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewActivity {
    pub actor_type: Option<String>,
    pub activity_type: Option<String>,
    pub actor_display: Option<String>,
    pub actor_email: Option<String>,
    pub previous_status: Option<String>,
    pub new_status: Option<String>,
    pub comment: Option<String>,
    pub created_at: Option<String>,
    pub user: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlocklistItem {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub session_id: Option<String>,
    pub session_number: Option<i64>,
    pub blocklisted_at: Option<String>,
    pub document_number: Option<String>,
    pub phone_number: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserDto {
    pub didit_internal_id: Option<String>,
    pub vendor_data: Option<String>,
    pub full_name: Option<String>,
    pub status: Option<String>,
    pub session_count: Option<i64>,
    pub approved_count: Option<i64>,
    pub declined_count: Option<i64>,
    pub in_review_count: Option<i64>,
    pub last_session_at: Option<String>,
}

/// A row of `GET /v3/workflows/` (one version of a workflow).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowRow {
    pub uuid: Option<String>,
    pub workflow_id: Option<String>,
    pub workflow_label: Option<String>,
    pub version: Option<i64>,
    pub status: Option<String>,
    pub is_archived: Option<bool>,
}

/// The workflow list: Didit's pages show both a paginated envelope and a bare array.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum WorkflowList {
    Page(Page<WorkflowRow>),
    Bare(Vec<WorkflowRow>),
}

/// The score thresholds of `GET /v3/workflows/{settings_uuid}/` (absent when not set).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowSettings {
    pub face_liveness_score_decline_threshold: Option<f64>,
    pub face_liveness_score_review_threshold: Option<f64>,
    pub face_match_score_decline_threshold: Option<f64>,
    pub face_match_score_review_threshold: Option<f64>,
}

//! Didit v3 wire DTOs. Only the fields the desk uses are declared: serde ignores the rest, so
//! every media field (images, videos, files) is dropped here simply by not existing. Arrays may
//! be missing, `null` or `[]`; enums are plain strings so new values never break a parse.

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

#[derive(Debug, Deserialize)]
pub struct FeatureState {
    #[serde(default)]
    pub feature: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SessionRow {
    pub session_id: String,
    #[serde(default)]
    pub session_number: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub vendor_data: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub document_type: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub features: Vec<FeatureState>,
}

#[derive(Debug, Deserialize)]
pub struct WarningDto {
    #[serde(default)]
    pub feature: Option<String>,
    #[serde(default)]
    pub risk: Option<String>,
    #[serde(default)]
    pub additional_data: Option<Value>,
    #[serde(default)]
    pub log_type: Option<String>,
    #[serde(default)]
    pub short_description: Option<String>,
    #[serde(default)]
    pub long_description: Option<String>,
    #[serde(default)]
    pub node_id: Option<String>,
}

/// Declares a feature item: the fields every feature shares (`node_id`, `status`, `warnings`)
/// plus its own. Written out rather than `#[serde(flatten)]`, which buffers every item.
macro_rules! feature_item {
    ($name:ident { $($body:tt)* }) => {
        #[derive(Debug, Deserialize)]
        pub struct $name {
            #[serde(default)]
            pub node_id: Option<String>,
            #[serde(default)]
            pub status: Option<String>,
            #[serde(default, deserialize_with = "list")]
            pub warnings: Vec<WarningDto>,
            $($body)*
        }
    };
}

feature_item!(ItemBase {});

feature_item!(IdVerification {
    #[serde(default)]
    pub document_type: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub age: Option<f64>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub issuing_state: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub matches: Vec<MatchDto>,
});

feature_item!(NfcVerification {
    #[serde(default)]
    pub authenticity: Option<Value>,
    #[serde(default)]
    pub nfc_skip_reason: Option<String>,
});

/// A link to another session (liveness face search, document duplicates).
#[derive(Debug, Deserialize)]
pub struct MatchDto {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub session_number: Option<i64>,
    #[serde(default)]
    pub is_blocklisted: Option<bool>,
    #[serde(default)]
    pub similarity_percentage: Option<f64>,
}

feature_item!(LivenessCheck {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub age_estimation: Option<f64>,
    #[serde(default, deserialize_with = "list")]
    pub matches: Vec<MatchDto>,
});

feature_item!(FaceMatch {
    #[serde(default)]
    pub score: Option<f64>,
});

feature_item!(PoaVerification {
    #[serde(default)]
    pub document_type: Option<String>,
    #[serde(default)]
    pub issuing_state: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
});

#[derive(Debug, Deserialize)]
pub struct Carrier {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

feature_item!(PhoneVerification {
    #[serde(default)]
    pub full_number: Option<String>,
    #[serde(default)]
    pub carrier: Option<Carrier>,
    #[serde(default)]
    pub is_disposable: Option<bool>,
    #[serde(default)]
    pub is_virtual: Option<bool>,
    #[serde(default)]
    pub verified_at: Option<String>,
});

feature_item!(EmailVerification {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub is_breached: Option<bool>,
    #[serde(default)]
    pub is_disposable: Option<bool>,
    #[serde(default)]
    pub is_undeliverable: Option<bool>,
    #[serde(default)]
    pub verified_at: Option<String>,
});

#[derive(Debug, Deserialize)]
pub struct AmlHitDto {
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub datasets: Vec<String>,
    #[serde(default)]
    pub match_score: Option<f64>,
    #[serde(default)]
    pub risk_score: Option<f64>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub review_status: Option<String>,
}

feature_item!(AmlScreening {
    #[serde(default)]
    pub total_hits: Option<i64>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "list")]
    pub hits: Vec<AmlHitDto>,
});

feature_item!(DatabaseValidation {
    #[serde(default)]
    pub match_type: Option<String>,
    #[serde(default)]
    pub issuing_state: Option<String>,
});

#[derive(Debug, Deserialize)]
pub struct IpLocation {
    #[serde(default)]
    pub distance_from_id_document: Option<Value>,
}

feature_item!(IpAnalysis {
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub ip_country: Option<String>,
    #[serde(default)]
    pub ip_country_code: Option<String>,
    #[serde(default)]
    pub ip_city: Option<String>,
    #[serde(default)]
    pub is_vpn_or_tor: Option<bool>,
    #[serde(default)]
    pub is_data_center: Option<bool>,
    #[serde(default)]
    pub ip: Option<IpLocation>,
    /// v2 payloads wrapped the location blocks here.
    #[serde(default)]
    pub locations_info: Option<Value>,
});

#[derive(Debug, Deserialize)]
pub struct ReviewDto {
    #[serde(default)]
    pub user: Option<Value>,
    #[serde(default)]
    pub actor_display: Option<String>,
    #[serde(default)]
    pub previous_status: Option<String>,
    #[serde(default)]
    pub new_status: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ExpectedDetails {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub identification_number: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    pub session_id: String,
    #[serde(default)]
    pub session_number: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub workflow_id: Option<String>,
    #[serde(default)]
    pub vendor_data: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub expected_details: Option<ExpectedDetails>,
    #[serde(default, deserialize_with = "list")]
    pub id_verifications: Vec<IdVerification>,
    #[serde(default, deserialize_with = "list")]
    pub nfc_verifications: Vec<NfcVerification>,
    #[serde(default, deserialize_with = "list")]
    pub liveness_checks: Vec<LivenessCheck>,
    #[serde(default, deserialize_with = "list")]
    pub face_matches: Vec<FaceMatch>,
    #[serde(default, deserialize_with = "list")]
    pub poa_verifications: Vec<PoaVerification>,
    #[serde(default, deserialize_with = "list")]
    pub phone_verifications: Vec<PhoneVerification>,
    #[serde(default, deserialize_with = "list")]
    pub email_verifications: Vec<EmailVerification>,
    #[serde(default, deserialize_with = "list")]
    pub aml_screenings: Vec<AmlScreening>,
    #[serde(default, deserialize_with = "list")]
    pub database_validations: Vec<DatabaseValidation>,
    #[serde(default, deserialize_with = "list")]
    pub ip_analyses: Vec<IpAnalysis>,
    #[serde(default, deserialize_with = "list")]
    pub questionnaire_responses: Vec<ItemBase>,
    #[serde(default, deserialize_with = "list")]
    pub document_ai_documents: Vec<ItemBase>,
    #[serde(default, deserialize_with = "list")]
    pub reviews: Vec<ReviewDto>,
}

#[derive(Debug, Deserialize)]
pub struct ReviewActivity {
    #[serde(default)]
    pub actor_display: Option<String>,
    #[serde(default)]
    pub actor_email: Option<String>,
    #[serde(default)]
    pub previous_status: Option<String>,
    #[serde(default)]
    pub new_status: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub user: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct BlocklistItem {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub session_number: Option<i64>,
    #[serde(default)]
    pub blocklisted_at: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct UserDto {
    #[serde(default)]
    pub didit_internal_id: Option<String>,
    #[serde(default)]
    pub vendor_data: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub session_count: Option<i64>,
    #[serde(default)]
    pub approved_count: Option<i64>,
    #[serde(default)]
    pub declined_count: Option<i64>,
    #[serde(default)]
    pub in_review_count: Option<i64>,
    #[serde(default)]
    pub last_session_at: Option<String>,
}

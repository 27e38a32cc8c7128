//! Wire DTOs into desk-core's media-free domain. Besides the media fields that the DTOs never
//! declare, every free string passes `clean`, which drops any media link the provider may add
//! in fields we do keep (comments, warning context, names).

use std::collections::BTreeMap;

use desk_core::media::{contains_media_link, is_media_link};
use desk_core::model::case::*;
use serde_json::Value;

use crate::error::DiditError;
use crate::wire;

/// Didit's documented workflow values (the Get Workflow page's example; api-facts Corrections
/// 13: thresholds are per workflow), used until the session's workflow says otherwise.
const FACE_MATCH_DECLINE_AT: f64 = 40.0;
const FACE_MATCH_REVIEW_AT: f64 = 60.0;
const LIVENESS_DECLINE_AT: f64 = 50.0;
const LIVENESS_REVIEW_AT: f64 = 70.0;
const AML_REVIEW_ABOVE: f64 = 80.0;
const AML_DECLINE_ABOVE: f64 = 100.0;

fn clean(value: Option<String>) -> Option<String> {
    value.filter(|v| !contains_media_link(v))
}

fn status(value: Option<String>) -> CheckStatus {
    CheckStatus::from(clean(value).as_deref().unwrap_or("Not Finished"))
}

fn case_status(value: Option<String>) -> CaseStatus {
    CaseStatus::from(clean(value).as_deref().unwrap_or("Not Started"))
}

/// Session ids go into URL paths and onto the screen: only well-formed ones are accepted.
fn case_id(value: String) -> Result<String, DiditError> {
    desk_core::model::request::validate_uuid(&value)
        .map(|()| value)
        .map_err(|e| DiditError::Decode {
            what: "session",
            message: e.to_string(),
        })
}

fn step(node_id: Option<String>, fallback: &str) -> String {
    clean(node_id).unwrap_or_else(|| fallback.to_owned())
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// Scalar context of a warning, without links or nested objects.
fn context(additional: Option<Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = additional else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter_map(|(key, value)| {
            let text = match value {
                Value::String(s) if !is_media_link(&s) && !contains_media_link(&s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((key, text))
        })
        .collect()
}

fn warning(dto: wire::WarningDto) -> Warning {
    Warning {
        check: clean(dto.feature).unwrap_or_default(),
        code: clean(dto.risk).unwrap_or_else(|| "UNKNOWN".to_owned()),
        severity: Severity::from_log_type(dto.log_type.as_deref().unwrap_or("warning")),
        short_description: clean(dto.short_description).unwrap_or_default(),
        long_description: clean(dto.long_description).unwrap_or_default(),
        step: clean(dto.node_id),
        context: context(dto.additional_data),
    }
}

/// A v3 distance is a number of kilometres; v2 sent `{distance, direction}`.
fn distance(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::Object(map) => map.get("distance").and_then(Value::as_f64),
        _ => None,
    }
}

struct Builder {
    summary: CaseSummary,
}

impl Builder {
    fn check(
        &mut self,
        kind: CheckKind,
        node_id: Option<String>,
        raw_status: Option<String>,
        warnings: Vec<wire::WarningDto>,
    ) -> &mut Check {
        let step_id = step(node_id, kind.as_str());
        let status = status(raw_status);
        self.summary.steps.push(Step {
            step: step_id.clone(),
            kind: kind.clone(),
            status: status.clone(),
        });
        self.summary
            .warnings
            .extend(warnings.into_iter().map(warning));
        self.summary.checks.push(Check {
            kind,
            step: step_id,
            status,
            score: None,
            facts: Vec::new(),
        });
        let last = self.summary.checks.len() - 1;
        &mut self.summary.checks[last]
    }

    fn related(&mut self, matches: Vec<wire::MatchDto>, via: &str) {
        for m in matches {
            self.summary.related.push(RelatedCase {
                case_id: clean(m.session_id),
                case_number: m.session_number,
                status: clean(m.status).map(CaseStatus::from),
                similarity: m.similarity_percentage,
                blocklisted: m.is_blocklisted.unwrap_or(false),
                via: via.to_owned(),
            });
        }
    }
}

/// Converts a decision into the case summary. Fails only on a malformed session id: everything
/// optional is optional.
pub fn case_summary(decision: wire::Decision) -> Result<CaseSummary, DiditError> {
    let mut b = Builder {
        summary: CaseSummary {
            case_id: case_id(decision.session_id)?,
            case_number: decision.session_number,
            status: case_status(decision.status),
            workflow_id: clean(decision.workflow_id),
            vendor_data: clean(decision.vendor_data),
            created_at: clean(decision.created_at),
            checks: Vec::new(),
            warnings: Vec::new(),
            documents: Vec::new(),
            mismatches: Vec::new(),
            aml_hits: Vec::new(),
            ip: Vec::new(),
            contacts: Vec::new(),
            related: Vec::new(),
            steps: Vec::new(),
            reviews: Vec::new(),
        },
    };

    for id in decision.id_verifications {
        let check = b.check(CheckKind::IdDocument, id.node_id, id.status, id.warnings);
        let step_id = check.step.clone();
        if let Some(kind) = id.document_type.clone() {
            check.facts.push(("document".into(), kind));
        }
        let full_name = clean(id.full_name).or_else(|| {
            match (clean(id.first_name.clone()), clean(id.last_name.clone())) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (f, l) => f.or(l),
            }
        });
        let facts = DocumentFacts {
            step: step_id,
            document_type: clean(id.document_type),
            issuing_country: clean(id.issuing_state),
            expiry: clean(id.expiration_date),
            document_number: clean(id.document_number),
            date_of_birth: clean(id.date_of_birth),
            full_name,
            nationality: clean(id.nationality),
            gender: clean(id.gender),
            age: id.age.map(|a| a as i64),
        };
        if let Some(expected) = &decision.expected_details {
            b.summary.mismatches.extend(mismatches(expected, &facts));
        }
        b.summary.documents.push(facts);
        b.related(id.matches, "document");
    }
    for nfc in decision.nfc_verifications {
        let check = b.check(CheckKind::Nfc, nfc.node_id, nfc.status, nfc.warnings);
        if let Some(reason) = clean(nfc.nfc_skip_reason) {
            check.facts.push(("skipped".into(), reason));
        }
        if let Some(Value::Object(auth)) = nfc.authenticity {
            for key in ["sod_integrity", "dg_integrity"] {
                if let Some(ok) = auth.get(key).and_then(Value::as_bool) {
                    check.facts.push((key.replace('_', " "), yes_no(ok)));
                }
            }
        }
    }
    for live in decision.liveness_checks {
        let check = b.check(
            CheckKind::Liveness,
            live.node_id,
            live.status,
            live.warnings,
        );
        check.score = live.score.map(|value| Score {
            value,
            decline_at: Some(LIVENESS_DECLINE_AT),
            review_at: Some(LIVENESS_REVIEW_AT),
            higher_is_riskier: false,
            thresholds_from: Some(ThresholdSource::DocumentedDefault),
        });
        if let Some(method) = clean(live.method) {
            check.facts.push(("method".into(), method));
        }
        if let Some(age) = live.age_estimation {
            check
                .facts
                .push(("estimated age".into(), format!("{age:.0}")));
        }
        b.related(live.matches, "face");
    }
    for fm in decision.face_matches {
        let check = b.check(CheckKind::FaceMatch, fm.node_id, fm.status, fm.warnings);
        check.score = fm.score.map(|value| Score {
            value,
            decline_at: Some(FACE_MATCH_DECLINE_AT),
            review_at: Some(FACE_MATCH_REVIEW_AT),
            higher_is_riskier: false,
            thresholds_from: Some(ThresholdSource::DocumentedDefault),
        });
    }
    for poa in decision.poa_verifications {
        let check = b.check(
            CheckKind::ProofOfAddress,
            poa.node_id,
            poa.status,
            poa.warnings,
        );
        for (label, value) in [
            ("document", poa.document_type),
            ("country", poa.issuing_state),
            ("issuer", poa.issuer),
        ] {
            if let Some(value) = clean(value) {
                check.facts.push((label.into(), value));
            }
        }
    }
    for phone in decision.phone_verifications {
        let check = b.check(
            CheckKind::Phone,
            phone.node_id,
            phone.status,
            phone.warnings,
        );
        let mut flags = Vec::new();
        let carrier = phone.carrier.unwrap_or(wire::Carrier {
            name: None,
            kind: None,
        });
        if let Some(name) = clean(carrier.name) {
            check.facts.push(("carrier".into(), name));
        }
        if let Some(kind) = clean(carrier.kind) {
            check.facts.push(("line".into(), kind.clone()));
            if kind == "voip" {
                flags.push("VoIP".to_owned());
            }
        }
        if phone.is_disposable == Some(true) {
            flags.push("disposable".to_owned());
        }
        if phone.is_virtual == Some(true) {
            flags.push("virtual".to_owned());
        }
        if let Some(number) = clean(phone.full_number) {
            b.summary.contacts.push(ContactFacts {
                kind: CheckKind::Phone,
                value: number,
                verified: phone.verified_at.is_some(),
                flags,
            });
        }
    }
    for email in decision.email_verifications {
        b.check(
            CheckKind::Email,
            email.node_id,
            email.status,
            email.warnings,
        );
        let mut flags = Vec::new();
        for (flag, set) in [
            ("breached", email.is_breached),
            ("disposable", email.is_disposable),
            ("undeliverable", email.is_undeliverable),
        ] {
            if set == Some(true) {
                flags.push(flag.to_owned());
            }
        }
        if let Some(address) = clean(email.email) {
            b.summary.contacts.push(ContactFacts {
                kind: CheckKind::Email,
                value: address,
                verified: email.verified_at.is_some(),
                flags,
            });
        }
    }
    for aml in decision.aml_screenings {
        let check = b.check(CheckKind::Aml, aml.node_id, aml.status, aml.warnings);
        check.score = aml.score.map(|value| Score {
            value,
            decline_at: Some(AML_DECLINE_ABOVE),
            review_at: Some(AML_REVIEW_ABOVE),
            higher_is_riskier: true,
            thresholds_from: Some(ThresholdSource::DocumentedDefault),
        });
        if let Some(hits) = aml.total_hits {
            check.facts.push(("hits".into(), hits.to_string()));
        }
        b.summary.aml_hits.extend(aml.hits.into_iter().map(|hit| {
            AmlHit {
                hit_id: clean(hit.id),
                matched_name: clean(hit.caption).unwrap_or_default(),
                datasets: hit
                    .datasets
                    .into_iter()
                    .filter(|d| !is_media_link(d))
                    .collect(),
                match_score: hit.match_score.or(hit.score.map(|s| s * 100.0)),
                risk_score: hit.risk_score,
                review_status: clean(hit.review_status),
            }
        }));
    }
    for db in decision.database_validations {
        let check = b.check(
            CheckKind::DatabaseValidation,
            db.node_id,
            db.status,
            db.warnings,
        );
        for (label, value) in [("match", db.match_type), ("country", db.issuing_state)] {
            if let Some(value) = clean(value) {
                check.facts.push((label.into(), value));
            }
        }
    }
    for ip in decision.ip_analyses {
        let check = b.check(CheckKind::IpAnalysis, ip.node_id, ip.status, ip.warnings);
        let vpn = ip.is_vpn_or_tor.unwrap_or(false);
        check.facts.push(("VPN or Tor".into(), yes_no(vpn)));
        let km = distance(
            ip.ip
                .as_ref()
                .and_then(|l| l.distance_from_id_document.as_ref()),
        )
        .or_else(|| {
            let info = ip.locations_info.as_ref()?;
            distance(info.get("ip")?.get("distance_from_id_document"))
        });
        b.summary.ip.push(IpFacts {
            ip_address: clean(ip.ip_address),
            country: clean(ip.ip_country),
            country_code: clean(ip.ip_country_code),
            city: clean(ip.ip_city),
            vpn_or_tor: vpn,
            data_center: ip.is_data_center.unwrap_or(false),
            distance_from_document_km: km,
        });
    }
    for q in decision.questionnaire_responses {
        b.check(CheckKind::Questionnaire, q.node_id, q.status, q.warnings);
    }
    for doc in decision.document_ai_documents {
        b.check(CheckKind::DocumentAi, doc.node_id, doc.status, doc.warnings);
    }

    // Duplicate warnings name the other session in their context.
    let duplicates: Vec<RelatedCase> = b
        .summary
        .warnings
        .iter()
        .filter(|w| w.context.contains_key("duplicated_session_id"))
        .map(|w| RelatedCase {
            case_id: w.context.get("duplicated_session_id").cloned(),
            case_number: w
                .context
                .get("duplicated_session_number")
                .and_then(|n| n.parse().ok()),
            status: None,
            similarity: None,
            blocklisted: false,
            via: w.code.clone(),
        })
        .collect();
    b.summary.related.extend(duplicates);

    b.summary.reviews = decision.reviews.into_iter().map(review).collect();
    b.summary.warnings.sort_by_key(|w| w.severity);
    // One guard for every short fact, whichever field it came from: a media link is never a fact.
    for check in &mut b.summary.checks {
        check.facts.retain(|(_, value)| !contains_media_link(value));
    }
    Ok(b.summary)
}

fn review(dto: wire::ReviewDto) -> ReviewEntry {
    let actor = dto.actor_display.or_else(|| match dto.user {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(map)) => map
            .get("email")
            .or_else(|| map.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    });
    ReviewEntry {
        actor: clean(actor).unwrap_or_else(|| "Unknown".to_owned()),
        actor_type: clean(dto.actor_type),
        activity_type: clean(dto.activity_type),
        previous_status: clean(dto.previous_status).map(CaseStatus::from),
        new_status: clean(dto.new_status).map(CaseStatus::from),
        comment: clean(dto.comment),
        at: clean(dto.created_at),
    }
}

/// A review-feed activity as a review entry.
pub fn review_activity(dto: wire::ReviewActivity) -> ReviewEntry {
    review(wire::ReviewDto {
        user: dto.user,
        actor_type: dto.actor_type,
        activity_type: dto.activity_type,
        actor_display: dto.actor_display.or(dto.actor_email),
        previous_status: dto.previous_status,
        new_status: dto.new_status,
        comment: dto.comment,
        created_at: dto.created_at,
    })
}

/// A feature's kind from its name in list rows; Didit's newer names are aliases of ours.
fn check_kind(name: &str) -> CheckKind {
    match name {
        "EMAIL_VERIFICATION" => CheckKind::Email,
        "PROOF_OF_ADDRESS" => CheckKind::ProofOfAddress,
        "FACEMATCH" => CheckKind::FaceMatch,
        other => CheckKind::from(other),
    }
}

fn normalise(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn mismatches(expected: &wire::ExpectedDetails, found: &DocumentFacts) -> Vec<Mismatch> {
    let expected_name = match (&expected.first_name, &expected.last_name) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.clone().or(l.clone()),
    };
    [
        ("full name", expected_name, found.full_name.clone()),
        (
            "date of birth",
            expected.date_of_birth.clone(),
            found.date_of_birth.clone(),
        ),
        (
            "nationality",
            expected.nationality.clone(),
            found.nationality.clone(),
        ),
        (
            "document number",
            expected.identification_number.clone(),
            found.document_number.clone(),
        ),
    ]
    .into_iter()
    .filter_map(|(field, expected, found)| {
        let (expected, found) = (clean(expected)?, clean(found)?);
        (normalise(&expected) != normalise(&found)).then(|| Mismatch {
            field: field.to_owned(),
            expected,
            found,
        })
    })
    .collect()
}

/// A list row as a queue item; a row without a well-formed session id is dropped.
pub fn queue_item(row: wire::SessionRow) -> Option<QueueItem> {
    let Ok(case_id) = case_id(row.session_id) else {
        tracing::warn!("dropped a session row with a malformed session id");
        return None;
    };
    Some(QueueItem {
        case_id,
        case_number: row.session_number,
        status: case_status(row.status),
        vendor_data: clean(row.vendor_data),
        full_name: clean(row.full_name),
        country: clean(row.country),
        document_type: clean(row.document_type),
        created_at: clean(row.created_at),
        checks: row
            .features
            .into_iter()
            .filter_map(|f| {
                Some((
                    check_kind(&clean(f.feature)?),
                    CheckStatus::from(clean(f.status)?.as_str()),
                ))
            })
            .collect(),
    })
}

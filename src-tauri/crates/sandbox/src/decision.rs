//! Builds Didit v3 wire bodies (list rows and decisions) for a session, from the seed and the
//! session's current state. Every media field carries a presigned-looking link.

use serde_json::{json, Map, Value};

use crate::seed::{
    describe, feature_name, node_id, warning_tag, Rng, ALL_FEATURES, COUNTRIES, WORKFLOWS,
};
use crate::world::{iso, Session, World};

/// The status of one feature item, from the warnings it carries and the session's state.
fn feature_status(session: &Session, feature: &str, warnings: &[Value]) -> &'static str {
    if session.redo.contains(node_id(feature)) {
        return "Not Finished";
    }
    match session.status.as_str() {
        "Not Started" => return "Not Finished",
        // A decided session's items agree with its decision.
        "Approved" | "Kyc Expired" => return "Approved",
        "In Progress" | "Abandoned" | "Expired" if feature != "ID_VERIFICATION" => {
            return "Not Finished"
        }
        _ => {}
    }
    if warnings.iter().any(|w| w["log_type"] == "error") {
        "Declined"
    } else if warnings.iter().any(|w| w["log_type"] == "warning") {
        "In Review"
    } else {
        "Approved"
    }
}

pub fn list_row(world: &World, s: &Session) -> Value {
    if let Some(fixture) = &s.fixture {
        return fixture_row(s, fixture);
    }
    let p = &world.people[s.person];
    let decision = decision(world, s);
    let features: Vec<Value> = WORKFLOWS[s.workflow]
        .features
        .iter()
        .map(|f| {
            let key = array_key(f);
            let status = decision[key][0]["status"].clone();
            json!({"feature": feature_name(f), "status": status})
        })
        .collect();
    json!({
        "session_id": s.id,
        "session_kind": "user",
        "session_number": s.number,
        "session_url": format!("https://verify.didit.me/session/{}", &s.id[..8]),
        "portrait_image": world.media_url(s, "portrait.jpg"),
        "document_type": if s.status == "Not Started" { Value::Null } else { json!("Identity Card") },
        "full_name": format!("{} {}", p.given_latin, p.family_latin),
        "country": COUNTRIES[p.country].alpha3,
        "status": s.status,
        "vendor_data": p.vendor_data,
        "didit_internal_id": format!("{}-0000-4000-8000-{:012}", &s.id[..8], s.person),
        "created_at": iso(s.created_at),
        "features": features,
        "phone_number": if WORKFLOWS[s.workflow].features.contains(&"PHONE") { json!({"number": p.phone, "is_verified": true}) } else { Value::Null },
        "email_address": if WORKFLOWS[s.workflow].features.contains(&"EMAIL") { json!({"email": p.email, "is_verified": true}) } else { Value::Null },
        "additional_details": {
            "aml": decision["aml_screenings"].get(0).map(|a| json!({"total_hits": a["total_hits"], "entity_type": "person", "is_adverse_media_fetched": false})),
            "liveness": {"method": decision["liveness_checks"][0]["method"], "score": decision["liveness_checks"][0]["score"]},
            "face_match": {"score": decision["face_matches"][0]["score"]},
        },
    })
}

fn fixture_row(s: &Session, fixture: &Value) -> Value {
    let id = &fixture["id_verifications"][0];
    json!({
        "session_id": s.id,
        "session_kind": "user",
        "session_number": s.number,
        "status": s.status,
        "vendor_data": fixture.get("vendor_data").cloned().unwrap_or(Value::Null),
        "full_name": id.get("full_name").cloned().unwrap_or(Value::Null),
        "country": id.get("issuing_state").cloned().unwrap_or(Value::Null),
        "document_type": id.get("document_type").cloned().unwrap_or(Value::Null),
        "created_at": iso(s.created_at),
        "features": [],
    })
}

pub fn array_key(feature: &str) -> &'static str {
    match feature {
        "ID_VERIFICATION" => "id_verifications",
        "NFC" => "nfc_verifications",
        "LIVENESS" => "liveness_checks",
        "FACE_MATCH" => "face_matches",
        "POA" => "poa_verifications",
        "PHONE" => "phone_verifications",
        "EMAIL" => "email_verifications",
        "AML" => "aml_screenings",
        "DATABASE_VALIDATION" => "database_validations",
        _ => "ip_analyses",
    }
}

fn has(warnings: &[Value], risk: &str) -> bool {
    warnings.iter().any(|w| w["risk"] == risk)
}

/// The full v3 decision of a session, with the AML reviews made through the API applied.
pub fn decision(world: &World, s: &Session) -> Value {
    let mut body = decision_body(world, s);
    // get_mut, not indexing: a fixture without AML results must stay exactly as it was.
    if let Some(checks) = body.get_mut("aml_screenings").and_then(Value::as_array_mut) {
        if let (Some(status), Some(last)) = (&s.aml_status, checks.last_mut()) {
            last["status"] = json!(status);
        }
        for check in checks {
            for hit in check["hits"].as_array_mut().into_iter().flatten() {
                if let Some(status) = hit["id"].as_str().and_then(|id| s.aml_reviews.get(id)) {
                    hit["review_status"] = json!(status);
                }
            }
        }
    }
    body
}

/// The AML hits of a session: (hit id, review status).
pub fn aml_hits(world: &World, s: &Session) -> Vec<(String, String)> {
    let body = decision(world, s);
    body["aml_screenings"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["hits"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| {
            Some((
                h["id"].as_str()?.to_owned(),
                h["review_status"]
                    .as_str()
                    .unwrap_or("Unreviewed")
                    .to_owned(),
            ))
        })
        .collect()
}

fn decision_body(world: &World, s: &Session) -> Value {
    if let Some(fixture) = &s.fixture {
        let mut body = fixture.clone();
        body["status"] = json!(s.status);
        if !s.reviews.is_empty() {
            body["reviews"] = short_reviews(s);
        }
        return body;
    }
    let p = &world.people[s.person];
    let country = &COUNTRIES[p.country];
    let workflow = &WORKFLOWS[s.workflow];
    let mut rng = Rng::new(world.seed, 7_000_000 + s.index);

    // Warnings per feature, in the A7.3 shape.
    let mut by_feature: Map<String, Value> = Map::new();
    for (w, extra) in world.live_warnings(s) {
        let (short, long) = describe(w.risk);
        let mut additional = extra;
        if w.risk == "COUNTRY_FROM_DOCUMENT_DOES_NOT_MATCH_COUNTRY_FROM_IP" {
            additional = json!({"document_country_code": country.alpha3, "ip_country_code": "FRA"});
        }
        let warning = json!({
            "feature": warning_tag(w.feature),
            "risk": w.risk,
            "additional_data": additional,
            "log_type": w.log_type,
            "short_description": short,
            "long_description": long,
            "node_id": node_id(w.feature),
        });
        if let Some(list) = by_feature
            .entry(w.feature.to_owned())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(warning);
        }
    }
    let warnings_of = |f: &str| -> Vec<Value> {
        by_feature
            .get(f)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let status_of = |f: &str, ws: &[Value]| feature_status(s, f, ws);

    let mut body = json!({
        "session_id": s.id,
        "session_kind": "user",
        "session_number": s.number,
        "session_url": format!("https://verify.didit.me/session/{}", &s.id[..8]),
        "status": s.status,
        "environment": "sandbox",
        "workflow_id": workflow.id,
        "workflow_version": 3,
        "features": workflow.features.iter().map(|f| feature_name(f)).collect::<Vec<_>>(),
        "vendor_data": p.vendor_data,
        "metadata": {"workflow_label": workflow.label},
        "expected_details": null,
        "contact_details": {"email": p.email, "email_lang": "fr", "send_notification_emails": false, "phone": p.phone},
        "callback": "https://dhmad.tn/kyc/done",
        "created_at": iso(s.created_at),
        "expires_at": iso(s.created_at + chrono::Duration::days(7)),
        "reviews": short_reviews(s),
    });
    for f in ALL_FEATURES {
        body[array_key(f)] = Value::Null;
    }
    // A feature's array stays null until the workflow has run it (api-facts Corrections 4).
    let ran = if s.status == "Not Started" {
        &[][..]
    } else {
        workflow.features
    };
    for &f in ran {
        let ws = warnings_of(f);
        let status = status_of(f, &ws);
        let media = |name: &str| world.media_url(s, name);
        let item = match f {
            "ID_VERIFICATION" => {
                let expired = has(&ws, "DOCUMENT_EXPIRED");
                let mismatch = has(&ws, "FULL_NAME_MISMATCH_WITH_PROVIDED")
                    || has(&ws, "DOB_MISMATCH_WITH_PROVIDED");
                if mismatch {
                    body["expected_details"] = json!({
                        "first_name": p.given_latin,
                        "last_name": format!("{}a", p.family_latin),
                        "date_of_birth": if has(&ws, "DOB_MISMATCH_WITH_PROVIDED") { "1999-01-01".to_owned() } else { p.date_of_birth.clone() },
                        "nationality": country.alpha3,
                    });
                }
                json!({
                    "node_id": node_id(f), "status": status,
                    "document_type": "Identity Card", "document_subtype": null,
                    "document_number": p.document_number, "personal_number": null,
                    "portrait_image": media("ocr/portrait.jpg"), "front_image": media("ocr/front.jpg"),
                    "front_video": media("ocr/front.webm"), "back_image": media("ocr/back.jpg"),
                    "back_video": media("ocr/back.webm"), "full_front_image": media("ocr/full_front.jpg"),
                    "full_back_image": media("ocr/full_back.jpg"),
                    "front_image_camera_front": null, "back_image_camera_front": null,
                    "front_image_camera_front_face_match_score": null,
                    "back_image_camera_front_face_match_score": null,
                    "date_of_birth": p.date_of_birth,
                    "age": 2026 - p.date_of_birth[..4].parse::<i64>().unwrap_or(1990),
                    "expiration_date": if expired { "2025-06-30" } else { "2031-06-30" },
                    "date_of_issue": "2021-07-01",
                    "issuing_state": country.alpha3, "issuing_state_name": country.name,
                    "region": null,
                    "first_name": p.given_latin, "last_name": p.family_latin,
                    "full_name": format!("{} {}", p.given_latin, p.family_latin),
                    "gender": p.gender, "address": format!("12 Rue de la Liberté, {}", country.name),
                    "formatted_address": format!("12 Rue de la Liberté, {}", country.name),
                    "place_of_birth": country.name, "marital_status": "UNKNOWN", "nationality": country.alpha3,
                    "extra_fields": {"first_name_native": p.given, "last_name_native": p.family},
                    "parsed_address": {"city": country.name, "country": country.alpha2, "is_verified": true,
                        "document_location": {"latitude": country.lat, "longitude": country.lon}},
                    "extra_files": [media("ocr/extra_page.pdf")],
                    "front_image_quality_score": {"focus_score": 0.91, "brightness_score": 0.8, "brightness_issue": "ok",
                        "is_document_fully_visible": true, "resolution_score": 0.9, "overall_score": 0.88},
                    "back_image_quality_score": null,
                    "mrz": null, "matches": [], "warnings": ws,
                })
            }
            "NFC" => json!({
                "node_id": node_id(f), "status": status,
                "portrait_image": media("nfc/dg2.jpg"), "signature_image": media("nfc/signature.png"),
                "chip_data": {"document_type": "ID", "issuing_country": country.alpha3, "document_number": p.document_number,
                    "expiration_date": "2031-06-30", "first_name": p.given_latin, "last_name": p.family_latin,
                    "birth_date": p.date_of_birth, "gender": p.gender, "nationality": country.alpha3},
                "authenticity": {"sod_integrity": !has(&ws, "NFC_CHIP_NOT_VERIFIED"), "dg_integrity": true},
                "certificate_summary": {"issuer": format!("CSCA {}", country.name), "subject": "DS", "serial_number": rng.hex(8),
                    "not_valid_before": "2020-01-01", "not_valid_after": "2030-01-01"},
                "nfc_skip_reason": if has(&ws, "SKIPPED_NFC_VALIDATION") { json!("USER_SKIPPED") } else { Value::Null },
                "warnings": ws,
            }),
            "LIVENESS" => {
                let low = has(&ws, "LOW_LIVENESS_SCORE");
                let matches: Vec<Value> = world.same_person(s).iter().take(3).map(|o| json!({
                    "status": o.status, "session_id": o.id, "session_number": o.number, "api_service": null,
                    "vendor_data": world.people[o.person].vendor_data,
                    "user_details": {"full_name": format!("{} {}", p.given_latin, p.family_latin), "document_type": "Identity Card", "document_number": p.document_number},
                    "is_blocklisted": world.blocklist.entries.contains_key(&("face", format!("face-{}", o.person))),
                    "match_image_url": world.media_url(o, "face/match.jpg"),
                    "verification_date": iso(o.created_at),
                    "similarity_percentage": 97.4,
                })).collect();
                json!({
                    "node_id": node_id(f), "status": status, "method": *rng.pick(&["PASSIVE", "ACTIVE_3D", "FLASHING"]),
                    "score": if low { rng.float(40.0, 69.0) } else { rng.float(85.0, 99.5) },
                    "reference_image": media("face/reference.jpg"), "video_url": media("face/liveness.webm"),
                    "age_estimation": rng.float(19.0, 60.0), "face_quality": rng.float(60.0, 99.0), "face_luminance": rng.float(40.0, 90.0),
                    "matches": matches, "warnings": ws,
                })
            }
            "FACE_MATCH" => json!({
                "node_id": node_id(f), "status": status,
                "score": if has(&ws, "LOW_FACE_MATCH_SIMILARITY") { rng.float(52.0, 69.0) } else { rng.float(78.0, 98.0) },
                "source_image_session_id": null,
                "source_image": media("face_match/source.jpg"), "target_image": media("face_match/target.jpg"),
                "warnings": ws,
            }),
            "POA" => json!({
                "node_id": node_id(f), "status": status, "document_type": "UTILITY_BILL", "document_subtype": "ELECTRICITY_BILL",
                "issuing_state": country.alpha3, "issuer": if country.alpha3 == "TUN" { "STEG" } else { "Energy Co." },
                "issue_date": "2026-09-14", "expiration_date": null, "document_language": "fr",
                "name_on_document": format!("{} {}", p.given_latin, p.family_latin),
                "poa_address": format!("12 Rue de la Liberté, {}", country.name), "poa_formatted_address": null,
                "poa_parsed_address": null, "document_file": media("poa/bill.pdf"), "document_metadata": {"content_type": "application/pdf"},
                "warnings": ws,
            }),
            "PHONE" => json!({
                "node_id": node_id(f), "status": status, "phone_number_prefix": country.dial,
                "phone_number": &p.phone[country.dial.len()..], "full_number": p.phone,
                "country_code": country.alpha2, "country_name": country.name,
                "carrier": {"name": "Ooredoo", "type": if has(&ws, "VOIP_NUMBER_DETECTED") { "voip" } else { "mobile" }},
                "is_disposable": has(&ws, "DISPOSABLE_NUMBER_DETECTED"), "is_virtual": has(&ws, "VOIP_NUMBER_DETECTED"),
                "verification_method": "sms", "verification_attempts": 1, "verified_at": iso(s.created_at),
                "lifecycle": [], "matches": [], "warnings": ws,
            }),
            "EMAIL" => json!({
                "node_id": node_id(f), "status": status, "email": p.email,
                "is_breached": has(&ws, "BREACHED_EMAIL_DETECTED"),
                "breaches": if has(&ws, "BREACHED_EMAIL_DETECTED") { json!([{"name": "ExampleLeak", "domain": "leak.example", "logo_path": media("breach/logo.png"),
                    "breach_date": "2023-03-01", "description": "Credentials leaked", "is_verified": true, "data_classes": ["Email addresses"], "breach_emails_count": 1200000}]) } else { json!([]) },
                "is_disposable": has(&ws, "DISPOSABLE_EMAIL_DETECTED"), "is_undeliverable": has(&ws, "UNDELIVERABLE_EMAIL_DETECTED"),
                "verification_attempts": 1, "verified_at": iso(s.created_at), "lifecycle": [], "matches": [], "warnings": ws,
            }),
            "AML" => {
                let hit = has(&ws, "POSSIBLE_MATCH_FOUND");
                let hits: Vec<Value> = if hit {
                    vec![json!({
                        "id": format!("hit_{}", rng.hex(6)), "caption": format!("{} {} {}", p.given_latin, p.family_latin, "Al-Sayed"),
                        "url": format!("https://sanctions.example.org/entity/{}", rng.hex(6)),
                        "match_score": rng.float(88.0, 99.0), "risk_score": rng.float(81.0, 99.0), "review_status": "Unreviewed",
                        "datasets": [*rng.pick(&["PEP", "Sanctions", "Warnings", "Adverse Media"])],
                        "pep_matches": [], "sanction_matches": [], "warning_matches": [], "adverse_media_matches": [],
                        "risk_view": {"categories": ["pep"], "countries": [country.alpha2]},
                        "properties": {"name": [format!("{} {}", p.given, p.family)], "image": [media("aml/entity.jpg")], "website": ["https://gov.example.org/official"]},
                        "first_seen": "2024-02-01T00:00:00Z", "last_seen": "2026-10-20T00:00:00Z",
                    })]
                } else {
                    vec![]
                };
                json!({
                    "node_id": node_id(f), "status": status, "entity_type": "person",
                    "total_hits": hits.len(), "score": hits.first().map_or(json!(0.0), |h| h["risk_score"].clone()),
                    "screened_data": {"full_name": format!("{} {}", p.given_latin, p.family_latin), "date_of_birth": p.date_of_birth,
                        "nationality": country.alpha2, "document_number": p.document_number},
                    "hits": hits, "is_ongoing_monitoring_enabled": false, "next_ongoing_monitoring_bill_date": null, "warnings": ws,
                })
            }
            "DATABASE_VALIDATION" => {
                let match_type = if has(&ws, "DATABASE_VALIDATION_NO_MATCH") {
                    "no_match"
                } else if has(&ws, "DATABASE_VALIDATION_PARTIAL_MATCH") {
                    "partial_match"
                } else {
                    "full_match"
                };
                json!({
                    "node_id": node_id(f), "status": status, "match_type": match_type, "issuing_state": country.alpha3,
                    "validation_type": "one_by_one",
                    "screened_data": {"first_name": p.given_latin, "last_name": p.family_latin, "date_of_birth": p.date_of_birth},
                    "validations": [{"service_id": "civil-registry", "service_name": format!("{} civil registry", country.name),
                        "outcome_code": match match_type { "no_match" => "NO_MATCH", "partial_match" => "PARTIAL_MATCH", _ => "MATCH" },
                        "validation": {"full_name": match_type, "date_of_birth": "full_match"},
                        "source_data": {"photo": media("registry/photo.jpg")}}],
                    "warnings": ws,
                })
            }
            _ => {
                let vpn = has(&ws, "PRIVATE_NETWORK_DETECTED");
                let foreign = has(&ws, "COUNTRY_FROM_DOCUMENT_DOES_NOT_MATCH_COUNTRY_FROM_IP");
                let ip_country = if foreign { &COUNTRIES[1] } else { country };
                json!({
                    "node_id": node_id(f), "status": status, "device_brand": "Apple", "device_model": "iPhone",
                    "browser_family": "Mobile Safari", "os_family": "iOS", "platform": "mobile",
                    "device_fingerprint": format!("didit-fp-{}", rng.hex(10)),
                    "ip_address": format!("197.{}.{}.{}", rng.below(255), rng.below(255), 1 + rng.below(253)),
                    "ip_country": ip_country.name, "ip_country_code": ip_country.alpha2, "ip_state": null, "ip_city": null,
                    "latitude": ip_country.lat, "longitude": ip_country.lon, "isp": "Tunisie Telecom", "organization": null,
                    "is_vpn_or_tor": vpn, "is_data_center": vpn,
                    "time_zone": "Africa/Tunis", "time_zone_offset": "+0100",
                    "ip": {"location": {"latitude": ip_country.lat, "longitude": ip_country.lon},
                        "distance_from_id_document": if foreign { 1480.5 } else { rng.float(1.0, 40.0) }, "distance_from_poa_document": null},
                    "matches": [], "warnings": ws,
                })
            }
        };
        body[array_key(f)] = json!([item]);
    }
    body["document_ai_documents"] = json!([]);
    body["questionnaire_responses"] = json!([]);
    body
}

fn short_reviews(s: &Session) -> Value {
    Value::Array(
        s.reviews
            .iter()
            .map(|r| json!({"user": r["actor_display"], "new_status": r["new_status"], "comment": r["comment"], "created_at": r["created_at"]}))
            .collect(),
    )
}

/// The nodes of a session a resubmission may name, with their current item status.
pub fn nodes(world: &World, s: &Session) -> Vec<(String, String, String)> {
    let d = decision(world, s);
    ALL_FEATURES
        .iter()
        .flat_map(|f| {
            d[array_key(f)]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |item| {
                    (
                        item["node_id"].as_str().unwrap_or_default().to_owned(),
                        f.to_string(),
                        item["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
        })
        .collect()
}

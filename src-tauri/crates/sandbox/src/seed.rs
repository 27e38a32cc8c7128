//! Deterministic, realistic seed data. SplitMix64 rather than a crate's RNG: its output is fixed
//! by its definition, so a seed names the same data set in every build and version.

/// SplitMix64: tiny, fast, and stable forever.
#[derive(Debug, Clone)]
pub struct Rng(u64);

/// SplitMix64's output function: a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// Independent streams per (seed, stream): both are mixed before they make the state, so
    /// neighbouring streams are not shifted copies of one sequence.
    pub fn new(seed: u64, stream: u64) -> Self {
        Self(mix(seed ^ mix(stream.wrapping_add(0x6A09_E667_F3BC_C909))))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn float(&mut self, low: f64, high: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        low + (high - low) * unit
    }

    pub fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(len);
        out
    }

    /// A version-4-shaped UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            ["8", "9", "a", "b"][(self.next() % 4) as usize],
            &h[17..20],
            &h[20..32]
        )
    }
}

pub struct Country {
    pub alpha3: &'static str,
    pub alpha2: &'static str,
    pub name: &'static str,
    pub dial: &'static str,
    pub lat: f64,
    pub lon: f64,
}

/// Tunisia first: most DHMAD users are there.
pub const COUNTRIES: [Country; 10] = [
    Country {
        alpha3: "TUN",
        alpha2: "TN",
        name: "Tunisia",
        dial: "+216",
        lat: 36.8,
        lon: 10.18,
    },
    Country {
        alpha3: "FRA",
        alpha2: "FR",
        name: "France",
        dial: "+33",
        lat: 48.86,
        lon: 2.35,
    },
    Country {
        alpha3: "DZA",
        alpha2: "DZ",
        name: "Algeria",
        dial: "+213",
        lat: 36.75,
        lon: 3.06,
    },
    Country {
        alpha3: "MAR",
        alpha2: "MA",
        name: "Morocco",
        dial: "+212",
        lat: 34.02,
        lon: -6.83,
    },
    Country {
        alpha3: "LBY",
        alpha2: "LY",
        name: "Libya",
        dial: "+218",
        lat: 32.89,
        lon: 13.19,
    },
    Country {
        alpha3: "ITA",
        alpha2: "IT",
        name: "Italy",
        dial: "+39",
        lat: 41.9,
        lon: 12.5,
    },
    Country {
        alpha3: "DEU",
        alpha2: "DE",
        name: "Germany",
        dial: "+49",
        lat: 52.52,
        lon: 13.4,
    },
    Country {
        alpha3: "ESP",
        alpha2: "ES",
        name: "Spain",
        dial: "+34",
        lat: 40.42,
        lon: -3.7,
    },
    Country {
        alpha3: "EGY",
        alpha2: "EG",
        name: "Egypt",
        dial: "+20",
        lat: 30.04,
        lon: 31.24,
    },
    Country {
        alpha3: "SAU",
        alpha2: "SA",
        name: "Saudi Arabia",
        dial: "+966",
        lat: 24.71,
        lon: 46.68,
    },
];

/// Country index weights: Tunisia carries about half the sessions.
pub fn pick_country(rng: &mut Rng) -> usize {
    if rng.chance(50) {
        0
    } else {
        1 + rng.below(COUNTRIES.len() as u64 - 1) as usize
    }
}

/// Given names: (as written on an Arabic-script document, Latin transliteration).
pub const ARABIC_GIVEN: [(&str, &str); 12] = [
    ("محمد", "Mohamed"),
    ("أميرة", "Amira"),
    ("يوسف", "Youssef"),
    ("مريم", "Meriem"),
    ("أحمد", "Ahmed"),
    ("سلمى", "Salma"),
    ("خليل", "Khalil"),
    ("ياسمين", "Yasmine"),
    ("حمزة", "Hamza"),
    ("إيناس", "Ines"),
    ("عمر", "Omar"),
    ("نور", "Nour"),
];
pub const ARABIC_FAMILY: [(&str, &str); 10] = [
    ("بن علي", "Ben Ali"),
    ("الطرابلسي", "Trabelsi"),
    ("الجبالي", "Jebali"),
    ("المزوغي", "Mezghani"),
    ("الشابي", "Chebbi"),
    ("بوزيد", "Bouzid"),
    ("الغربي", "Gharbi"),
    ("الحمامي", "Hammami"),
    ("السويسي", "Souissi"),
    ("القاسمي", "Kacem"),
];
pub const LATIN_GIVEN: [&str; 10] = [
    "Camille", "Lucas", "Giulia", "Matteo", "Lena", "Jonas", "Lucía", "Pablo", "Chloé", "Noah",
];
pub const LATIN_FAMILY: [&str; 10] = [
    "Martin", "Rossi", "Müller", "García", "Dubois", "Bianchi", "Schmidt", "López", "Moreau",
    "Ferrari",
];

/// Every user-session feature the sandbox simulates, in decision order.
pub const ALL_FEATURES: &[&str] = &[
    "ID_VERIFICATION",
    "NFC",
    "LIVENESS",
    "FACE_MATCH",
    "POA",
    "PHONE",
    "EMAIL",
    "AML",
    "DATABASE_VALIDATION",
    "IP_ANALYSIS",
];

pub struct Workflow {
    pub id: &'static str,
    pub label: &'static str,
    pub features: &'static [&'static str],
}

pub const WORKFLOWS: [Workflow; 3] = [
    Workflow {
        id: "6f0c3d2a-51b4-4e8a-9c7d-1a2b3c4d5e01",
        label: "Seller KYC",
        features: &["ID_VERIFICATION", "LIVENESS", "FACE_MATCH", "IP_ANALYSIS"],
    },
    Workflow {
        id: "6f0c3d2a-51b4-4e8a-9c7d-1a2b3c4d5e02",
        label: "Payments KYC + AML",
        features: &[
            "ID_VERIFICATION",
            "LIVENESS",
            "FACE_MATCH",
            "AML",
            "DATABASE_VALIDATION",
            "IP_ANALYSIS",
        ],
    },
    Workflow {
        id: "6f0c3d2a-51b4-4e8a-9c7d-1a2b3c4d5e03",
        label: "Full onboarding",
        features: ALL_FEATURES,
    },
];

/// Node ids per feature code.
pub fn node_id(feature: &str) -> &'static str {
    match feature {
        "ID_VERIFICATION" => "feature_ocr_1",
        "NFC" => "feature_nfc_1",
        "LIVENESS" => "feature_liveness_1",
        "FACE_MATCH" => "feature_face_match_1",
        "POA" => "feature_poa_1",
        "PHONE" => "feature_phone_1",
        "EMAIL" => "feature_email_1",
        "AML" => "feature_aml_1",
        "DATABASE_VALIDATION" => "feature_database_validation_1",
        _ => "feature_ip_1",
    }
}

/// The warning tag a feature uses (face match has no underscore, IP analysis says LOCATION).
/// A feature's name in list rows and the decision's `features` (api-facts Corrections 3).
pub fn feature_name(feature: &str) -> &str {
    match feature {
        "EMAIL" => "EMAIL_VERIFICATION",
        other => other,
    }
}

/// The `feature` tag warnings carry (api-facts Corrections 3).
pub fn warning_tag(feature: &str) -> &'static str {
    match feature {
        "ID_VERIFICATION" => "ID_VERIFICATION",
        "NFC" => "NFC",
        "LIVENESS" => "LIVENESS",
        "FACE_MATCH" => "FACEMATCH",
        "POA" => "PROOF_OF_ADDRESS",
        "PHONE" => "PHONE",
        "EMAIL" => "EMAIL_VERIFICATION",
        "AML" => "AML",
        "DATABASE_VALIDATION" => "DATABASE_VALIDATION",
        _ => "LOCATION",
    }
}

/// Every documented risk code (api-facts A9), by the feature that emits it.
pub const RISKS: &[(&str, &str)] = &[
    ("ID_VERIFICATION", "DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION"),
    ("ID_VERIFICATION", "DOCUMENT_EXPIRED"),
    ("ID_VERIFICATION", "PORTRAIT_IMAGE_NOT_DETECTED"),
    ("ID_VERIFICATION", "ID_DOCUMENT_IN_BLOCKLIST"),
    ("ID_VERIFICATION", "AGE_BELOW_MINIMUM"),
    ("ID_VERIFICATION", "AGE_NOT_DETECTED"),
    ("ID_VERIFICATION", "POSSIBLE_DUPLICATED_USER"),
    ("ID_VERIFICATION", "QR_NOT_DETECTED"),
    ("ID_VERIFICATION", "BARCODE_NOT_DETECTED"),
    ("ID_VERIFICATION", "QR_VALIDATION_FAILED"),
    ("ID_VERIFICATION", "BARCODE_VALIDATION_FAILED"),
    ("ID_VERIFICATION", "BARCODE_SIGNATURE_INVALID"),
    ("ID_VERIFICATION", "MRZ_NOT_DETECTED"),
    ("ID_VERIFICATION", "MRZ_VALIDATION_FAILED"),
    ("ID_VERIFICATION", "DATA_INCONSISTENT"),
    (
        "ID_VERIFICATION",
        "MRZ_AND_DATA_EXTRACTED_FROM_OCR_NOT_SAME",
    ),
    (
        "ID_VERIFICATION",
        "DOCUMENT_NAME_DIFFERENT_FROM_OTHER_APPROVED_DOCUMENTS",
    ),
    (
        "ID_VERIFICATION",
        "ID_VERIFICATION_DATA_MISMATCH_BETWEEN_DOCUMENTS",
    ),
    ("ID_VERIFICATION", "DOCUMENT_SIDES_MISMATCH"),
    ("ID_VERIFICATION", "INVALID_DATE"),
    ("ID_VERIFICATION", "COULD_NOT_RECOGNIZE_DOCUMENT"),
    ("ID_VERIFICATION", "COULD_NOT_DETECT_DOCUMENT_TYPE"),
    ("ID_VERIFICATION", "DOCUMENT_NUMBER_NOT_DETECTED"),
    ("ID_VERIFICATION", "NAME_NOT_DETECTED"),
    ("ID_VERIFICATION", "DATE_OF_BIRTH_NOT_DETECTED"),
    ("ID_VERIFICATION", "EXPIRATION_DATE_NOT_DETECTED"),
    ("ID_VERIFICATION", "DOCUMENT_NUMBER_FORMAT_MISMATCH"),
    ("ID_VERIFICATION", "PERSONAL_NUMBER_FORMAT_MISMATCH"),
    ("ID_VERIFICATION", "FULL_NAME_MISMATCH_WITH_PROVIDED"),
    ("ID_VERIFICATION", "DOB_MISMATCH_WITH_PROVIDED"),
    ("ID_VERIFICATION", "COUNTRY_MISMATCH_WITH_PROVIDED"),
    ("ID_VERIFICATION", "GENDER_MISMATCH_WITH_PROVIDED"),
    ("ID_VERIFICATION", "NATIONALITY_MISMATCH_WITH_PROVIDED"),
    (
        "ID_VERIFICATION",
        "IDENTIFICATION_NUMBER_MISMATCH_WITH_PROVIDED",
    ),
    ("ID_VERIFICATION", "SCREEN_CAPTURE_DETECTED"),
    ("ID_VERIFICATION", "PRINTED_COPY_DETECTED"),
    ("ID_VERIFICATION", "PORTRAIT_MANIPULATION_DETECTED"),
    ("ID_VERIFICATION", "PUBLIC_DOCUMENT_IMAGE_DETECTED"),
    ("ID_VERIFICATION", "MINIMUM_AGE_NOT_MET"),
    ("ID_VERIFICATION", "UNPARSED_ADDRESS"),
    ("NFC", "SKIPPED_NFC_VALIDATION"),
    ("NFC", "NFC_CHIP_NOT_VERIFIED"),
    ("NFC", "NFC_AND_OCR_DATA_NOT_SAME"),
    ("NFC", "DSC_CERTIFICATE_REVOKED"),
    ("NFC", "DSC_CERTIFICATE_EXPIRED"),
    ("LIVENESS", "NO_FACE_DETECTED"),
    ("LIVENESS", "LIVENESS_FACE_ATTACK"),
    ("LIVENESS", "FACE_IN_BLOCKLIST"),
    ("LIVENESS", "AGE_BELOW_MINIMUM"),
    ("LIVENESS", "AGE_NOT_DETECTED"),
    ("LIVENESS", "LOW_LIVENESS_SCORE"),
    ("LIVENESS", "LOW_FACE_QUALITY"),
    ("LIVENESS", "LOW_FACE_LUMINANCE"),
    ("LIVENESS", "HIGH_FACE_LUMINANCE"),
    ("LIVENESS", "MULTIPLE_FACES_DETECTED"),
    ("LIVENESS", "POSSIBLE_DUPLICATED_FACE"),
    ("LIVENESS", "DUPLICATED_FACE"),
    ("LIVENESS", "POSSIBLE_FACE_IN_BLOCKLIST"),
    ("FACE_MATCH", "NO_REFERENCE_IMAGE"),
    ("FACE_MATCH", "LOW_FACE_MATCH_SIMILARITY"),
    ("FACE_MATCH", "FACE_MATCH_MAX_ATTEMPTS_EXCEEDED"),
    ("POA", "MISSING_ADDRESS_INFORMATION"),
    ("POA", "POA_DOCUMENT_EXPIRED"),
    ("POA", "INVALID_DOCUMENT_TYPE"),
    ("POA", "UNABLE_TO_VALIDATE_DOCUMENT_AGE"),
    ("POA", "UNABLE_TO_EXTRACT_ISSUE_DATE"),
    ("POA", "POA_NAME_NOT_DETECTED"),
    ("POA", "SUSPECTED_DOCUMENT_MANIPULATION"),
    ("POA", "DOCUMENT_METADATA_MISMATCH"),
    ("IP_ANALYSIS", "IP_ADDRESS_IN_BLOCKLIST"),
    ("IP_ANALYSIS", "DEVICE_FINGERPRINT_IN_BLOCKLIST"),
    ("IP_ANALYSIS", "PRIVATE_NETWORK_DETECTED"),
    (
        "IP_ANALYSIS",
        "COUNTRY_FROM_DOCUMENT_DOES_NOT_MATCH_COUNTRY_FROM_IP",
    ),
    ("IP_ANALYSIS", "EXPECTED_IP_ADDRESS_MISMATCH"),
    ("IP_ANALYSIS", "DUPLICATED_IP_ADDRESS"),
    ("IP_ANALYSIS", "DUPLICATED_DEVICE_FINGERPRINT"),
    ("IP_ANALYSIS", "DEVICE_RECOVERED_HIGH_CONFIDENCE"),
    ("PHONE", "VERIFICATION_CODE_ATTEMPTS_EXCEEDED"),
    ("PHONE", "HIGH_RISK_PHONE_NUMBER"),
    ("PHONE", "PHONE_NUMBER_IN_BLOCKLIST"),
    ("PHONE", "VOIP_NUMBER_DETECTED"),
    ("PHONE", "DISPOSABLE_NUMBER_DETECTED"),
    ("PHONE", "DUPLICATED_PHONE_NUMBER"),
    ("EMAIL", "EMAIL_CODE_ATTEMPTS_EXCEEDED"),
    ("EMAIL", "EMAIL_IN_BLOCKLIST"),
    ("EMAIL", "UNDELIVERABLE_EMAIL_DETECTED"),
    ("EMAIL", "BREACHED_EMAIL_DETECTED"),
    ("EMAIL", "DISPOSABLE_EMAIL_DETECTED"),
    ("EMAIL", "DUPLICATED_EMAIL"),
    ("AML", "POSSIBLE_MATCH_FOUND"),
    ("AML", "COULD_NOT_PERFORM_AML_SCREENING"),
    (
        "DATABASE_VALIDATION",
        "COULD_NOT_PERFORM_DATABASE_VALIDATION",
    ),
    ("DATABASE_VALIDATION", "DATABASE_VALIDATION_NO_MATCH"),
    ("DATABASE_VALIDATION", "DATABASE_VALIDATION_PARTIAL_MATCH"),
];

/// A readable description for a risk code.
pub fn describe(risk: &str) -> (String, String) {
    let words = risk.to_lowercase().replace('_', " ");
    let mut short = words.clone();
    if let Some(first) = short.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    (
        short,
        format!("The check reported: {words}. Review the case before deciding."),
    )
}

/// A time as the simulated APIs write it (RFC 3339, microseconds, UTC `Z`).
pub fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn neighbouring_streams_do_not_repeat_each_other() {
        for seed in [0, 1, 3, 7, 42] {
            let mut seen = HashSet::new();
            for stream in 0..5_000 {
                let mut rng = Rng::new(seed, stream);
                for _ in 0..4 {
                    assert!(
                        seen.insert(rng.next()),
                        "seed {seed} stream {stream} repeats"
                    );
                }
            }
        }
    }
}

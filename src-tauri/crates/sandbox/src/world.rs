//! The simulator's state: sessions with the documented status rules, review feeds, blocklist,
//! DHMAD verifications, and the ledger of every effect applied, in order.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

pub use crate::seed::iso;
use crate::seed::{self, Rng, COUNTRIES, RISKS, WORKFLOWS};

/// One generated warning on a session.
#[derive(Debug, Clone)]
pub struct SeedWarning {
    pub feature: &'static str,
    pub risk: &'static str,
    pub log_type: &'static str,
}

/// A person behind one or more sessions: sessions of the same person share face, document,
/// phone and email, which is what duplicate and blocklist warnings key on.
#[derive(Debug, Clone)]
pub struct Person {
    pub given: String,
    pub family: String,
    pub given_latin: String,
    pub family_latin: String,
    pub country: usize,
    pub document_number: String,
    pub date_of_birth: String,
    pub gender: &'static str,
    pub phone: String,
    pub email: String,
    pub vendor_data: String,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub number: i64,
    pub status: String,
    pub workflow: usize,
    pub person: usize,
    pub created_at: DateTime<Utc>,
    pub warnings: Vec<SeedWarning>,
    /// Nodes asked to be redone by a resubmission.
    pub redo: HashSet<String>,
    /// A decision loaded from a fixture file, served as is (status kept current).
    pub fixture: Option<Value>,
    pub reviews: Vec<Value>,
    pub index: u64,
    /// AML hits marked by a reviewer: hit id -> review status.
    pub aml_reviews: HashMap<String, String>,
    /// The AML check's status once set through the API.
    pub aml_status: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Blocklist {
    /// kind ("face", "document", "phone", "email") -> key -> (source session id, when)
    pub entries: BTreeMap<(&'static str, String), (String, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub api: &'static str,
    pub effect: String,
    pub target: String,
    pub actor: String,
    pub detail: Value,
}

/// A VerifyHQ user for every tenth session in review (at least four).
pub fn seed_verifyhq(
    seed: u64,
    in_review: usize,
    now: DateTime<Utc>,
) -> Vec<crate::records::Verification> {
    crate::records::seed_verifications(seed, (in_review / 10).max(4), now)
}

pub struct World {
    pub seed: u64,
    pub sessions: Vec<Session>,
    pub people: Vec<Person>,
    pub blocklist: Blocklist,
    pub ledger: Vec<LedgerEntry>,
    pub dhmad: Vec<crate::records::Record>,
    /// VerifyHQ verifications, oldest first.
    pub verifyhq: Vec<crate::records::Verification>,
    pub media_host: String,
}

impl World {
    /// [`World::generate_beside`] the VerifyHQ verifications [`seed_verifyhq`] makes.
    #[cfg(test)]
    pub fn generate(seed: u64, in_review: usize, now: DateTime<Utc>) -> Self {
        Self::generate_beside(seed, in_review, now, seed_verifyhq(seed, in_review, now))
    }

    /// `in_review` sessions awaiting a decision, plus about one in ten in other states, beside
    /// the VerifyHQ verifications seeded for the same moment.
    pub fn generate_beside(
        seed: u64,
        in_review: usize,
        now: DateTime<Utc>,
        verifyhq: Vec<crate::records::Verification>,
    ) -> Self {
        let others = in_review / 10;
        let total = in_review + others;
        // About one session in eight belongs to a person seen before.
        let people_count = (total - total / 8).max(1);
        let people: Vec<Person> = (0..people_count).map(|i| person(seed, i as u64)).collect();
        let mut sessions = Vec::with_capacity(total);
        for i in 0..total {
            let mut rng = Rng::new(seed, 1_000_000 + i as u64);
            // Cases in review first; the others take every other status in turn.
            const OTHERS: [&str; 7] = [
                "Approved",
                "Declined",
                "In Progress",
                "Not Started",
                "Expired",
                "Abandoned",
                "Resubmitted",
            ];
            let status = if i < in_review {
                "In Review"
            } else {
                OTHERS[(i - in_review) % OTHERS.len()]
            };
            let person = if i < people_count {
                i
            } else {
                rng.below(people_count as u64) as usize
            };
            // The i-th case carries the i-th documented risk, on a workflow that runs its check.
            let forced = RISKS[i % RISKS.len()];
            let drawn = rng.below(WORKFLOWS.len() as u64) as usize;
            let workflow = if WORKFLOWS[drawn].features.contains(&forced.0) {
                drawn
            } else {
                WORKFLOWS.len() - 1
            };
            // Up to three days old, so some are past a 24-hour SLA.
            let age = Duration::seconds(rng.below(72 * 3600) as i64 + 60);
            let warnings = if status == "In Review" {
                warnings_for(&mut rng, forced, workflow)
            } else {
                Vec::new()
            };
            sessions.push(Session {
                id: rng.uuid(),
                number: 0,
                status: status.to_owned(),
                workflow,
                person,
                created_at: now - age,
                warnings,
                redo: HashSet::new(),
                fixture: None,
                reviews: Vec::new(),
                index: i as u64,
                aml_reviews: HashMap::new(),
                aml_status: None,
            });
        }
        // Session numbers grow with creation time, as at Didit.
        sessions.sort_by_key(|s| s.created_at);
        for (n, s) in sessions.iter_mut().enumerate() {
            s.number = 1000 + n as i64;
        }
        let contacts: Vec<(&str, &str)> = people
            .iter()
            .map(|p| (p.email.as_str(), p.vendor_data.as_str()))
            .collect();
        let dhmad = crate::records::seed_records(seed, &contacts, now);
        Self {
            seed,
            sessions,
            people,
            blocklist: Blocklist::default(),
            ledger: Vec::new(),
            dhmad,
            verifyhq,
            media_host: "didit-sandbox-media.s3.eu-west-1.amazonaws.com".to_owned(),
        }
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.sessions.iter().position(|s| s.id == id)
    }

    pub fn record(
        &mut self,
        api: &'static str,
        effect: &str,
        target: &str,
        actor: &str,
        detail: Value,
    ) {
        let seq = self.ledger.len() as u64 + 1;
        self.ledger.push(LedgerEntry {
            seq,
            at: Utc::now(),
            api,
            effect: effect.to_owned(),
            target: target.to_owned(),
            actor: actor.to_owned(),
            detail,
        });
    }

    /// A presigned-looking S3 link, so the client's media stripping is really exercised.
    pub fn media_url(&self, session: &Session, name: &str) -> String {
        let mut rng = Rng::new(self.seed, session.index ^ name.len() as u64 ^ 0xfeed);
        format!(
            "https://{}/{}/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA{}%2F20261122%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={}",
            self.media_host,
            session.id,
            name,
            rng.hex(16).to_uppercase(),
            rng.hex(64)
        )
    }

    /// The items of a session that could be blocklisted, keyed like the blocklist.
    pub fn items(&self, session: &Session) -> [(&'static str, String); 4] {
        let p = &self.people[session.person];
        [
            ("face", format!("face-{}", session.person)),
            ("document", p.document_number.clone()),
            ("phone", p.phone.clone()),
            ("email", p.email.clone()),
        ]
    }

    /// Other sessions of the same person (duplicates).
    pub fn same_person(&self, session: &Session) -> Vec<&Session> {
        self.sessions
            .iter()
            .filter(|s| s.person == session.person && s.id != session.id)
            .collect()
    }

    /// Warnings the session carries now: its seeded ones, plus blocklist hits from items other
    /// sessions blocklisted, plus duplicate warnings.
    pub fn live_warnings(&self, session: &Session) -> Vec<(SeedWarning, Value)> {
        let mut out: Vec<(SeedWarning, Value)> = session
            .warnings
            .iter()
            .map(|w| (w.clone(), Value::Null))
            .collect();
        for (kind, key) in self.items(session) {
            if let Some((source, _)) = self.blocklist.entries.get(&(kind, key)) {
                if source == &session.id {
                    continue;
                }
                let (feature, risk) = match kind {
                    "face" => ("LIVENESS", "FACE_IN_BLOCKLIST"),
                    "document" => ("ID_VERIFICATION", "ID_DOCUMENT_IN_BLOCKLIST"),
                    "phone" => ("PHONE", "PHONE_NUMBER_IN_BLOCKLIST"),
                    _ => ("EMAIL", "EMAIL_IN_BLOCKLIST"),
                };
                if WORKFLOWS[session.workflow].features.contains(&feature) {
                    out.push((
                        SeedWarning {
                            feature,
                            risk,
                            log_type: "error",
                        },
                        json!({"blocklisted_session_id": source}),
                    ));
                }
            }
        }
        if let Some(other) = self.same_person(session).first() {
            out.push((
                SeedWarning { feature: "ID_VERIFICATION", risk: "POSSIBLE_DUPLICATED_USER", log_type: "warning" },
                json!({"api_service": null, "duplicated_session_id": other.id, "duplicated_session_number": other.number}),
            ));
        }
        out
    }
}

fn person(seed: u64, i: u64) -> Person {
    let mut rng = Rng::new(seed, i);
    let country = seed::pick_country(&mut rng);
    let arabic = matches!(
        COUNTRIES[country].alpha3,
        "TUN" | "DZA" | "MAR" | "LBY" | "EGY" | "SAU"
    );
    let (given, given_latin, family, family_latin) = if arabic {
        let (g, gl) = *rng.pick(&seed::ARABIC_GIVEN);
        let (f, fl) = *rng.pick(&seed::ARABIC_FAMILY);
        (g.to_owned(), gl.to_owned(), f.to_owned(), fl.to_owned())
    } else {
        let g = *rng.pick(&seed::LATIN_GIVEN);
        let f = *rng.pick(&seed::LATIN_FAMILY);
        (g.to_owned(), g.to_owned(), f.to_owned(), f.to_owned())
    };
    let year = 1960 + rng.below(45);
    let local = format!(
        "{}.{}{}",
        given_latin
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        family_latin
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        rng.below(1000)
    );
    Person {
        given,
        family,
        given_latin,
        family_latin,
        country,
        document_number: format!(
            "{}{:08}",
            &COUNTRIES[country].alpha2,
            rng.below(100_000_000)
        ),
        date_of_birth: format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        gender: if rng.chance(50) { "F" } else { "M" },
        phone: format!(
            "{}{}",
            COUNTRIES[country].dial,
            20_000_000 + rng.below(79_999_999)
        ),
        email: format!(
            "{local}@{}",
            rng.pick(&[
                "gmail.com",
                "yahoo.fr",
                "topnet.tn",
                "outlook.com",
                "planet.tn"
            ])
        ),
        vendor_data: format!("dhmad-user-{}", rng.hex(12)),
    }
}

/// One to three warnings, the first one `forced`, so every documented code appears in a data set
/// as large as the catalogue.
fn warnings_for(
    rng: &mut Rng,
    forced: (&'static str, &'static str),
    workflow: usize,
) -> Vec<SeedWarning> {
    let features = WORKFLOWS[workflow].features;
    let usable: Vec<&(&str, &str)> = RISKS.iter().filter(|(f, _)| features.contains(f)).collect();
    let mut out = Vec::new();
    let count = 1 + rng.below(3) as usize;
    for k in 0..count {
        let (feature, risk) = if k == 0 { forced } else { **rng.pick(&usable) };
        if out.iter().any(|w: &SeedWarning| w.risk == risk) {
            continue;
        }
        let log_type = if k == 0 {
            "warning"
        } else {
            *rng.pick(&["warning", "information", "information"])
        };
        out.push(SeedWarning {
            feature,
            risk,
            log_type,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn session_ids_are_unique_for_any_seed() {
        for seed in 0..20 {
            let w = World::generate(seed, 300, at());
            let ids: HashSet<&str> = w.sessions.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids.len(), w.sessions.len(), "seed {seed}");
        }
    }

    #[test]
    fn a_seed_names_one_data_set() {
        let a = World::generate(7, 50, at());
        let b = World::generate(7, 50, at());
        let c = World::generate(8, 50, at());
        let ids = |w: &World| w.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
    }

    #[test]
    fn the_default_set_has_every_documented_risk_and_both_scripts() {
        let w = World::generate(7, 200, at());
        assert_eq!(
            w.sessions
                .iter()
                .filter(|s| s.status == "In Review")
                .count(),
            200
        );
        let risks: HashSet<&str> = w
            .sessions
            .iter()
            .flat_map(|s| s.warnings.iter().map(|x| x.risk))
            .collect();
        for (_, risk) in RISKS {
            assert!(risks.contains(risk), "{risk} is never seeded");
        }
        let tunisians = w
            .sessions
            .iter()
            .filter(|s| w.people[s.person].country == 0)
            .count();
        assert!(
            tunisians * 3 > w.sessions.len(),
            "Tunisia leads: {tunisians}"
        );
        assert!(w.people.iter().any(|p| p
            .given
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))));
        assert!(w.people.iter().any(|p| p.given.is_ascii()));
        let mut numbers: Vec<i64> = w.sessions.iter().map(|s| s.number).collect();
        numbers.dedup();
        assert_eq!(
            numbers.len(),
            w.sessions.len(),
            "numbers are unique and grow with time"
        );
    }

    #[test]
    fn media_links_look_presigned() {
        let w = World::generate(7, 3, at());
        let url = w.media_url(&w.sessions[0], "ocr/front.jpg");
        assert!(
            url.starts_with("https://")
                && url.contains("X-Amz-Signature=")
                && url.contains("X-Amz-Expires=3600")
        );
    }

    #[test]
    fn a_hundred_thousand_sessions_can_be_generated() {
        let w = World::generate(7, 100_000, at());
        assert_eq!(w.sessions.len(), 110_000);
    }
}

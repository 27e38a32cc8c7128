//! The team lead's figures, read from the audit log over a period: decisions per day and by
//! verdict, time from opening a case to deciding it, undo rate, conflicts, decisions a later
//! reviewer changed and SLA breaches — per reviewer and for the team.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::audit::AuditEntry;
use crate::audit_view::{read_all, AuditFilter, AuditSearch};
use crate::desk::{Desk, DeskError};
use crate::ports::{CaseSource, Clock, Store};

const DECISIONS: [&str; 3] = ["approve", "decline", "resubmit"];

/// One reviewer's figures (or the team's: `reviewer` is "Team").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub reviewer: String,
    /// Decisions applied (sent and accepted by the provider).
    pub decisions: u32,
    pub approved: u32,
    pub declined: u32,
    pub resubmitted: u32,
    /// Applied decisions per UTC day, `YYYY-MM-DD`, in order.
    pub per_day: Vec<(String, u32)>,
    /// Seconds from the case's last opening by the same reviewer to queuing the decision.
    pub open_to_decide_median_s: Option<f64>,
    pub open_to_decide_p90_s: Option<f64>,
    /// Decisions queued, and of those taken back with Undo.
    pub queued: u32,
    pub undone: u32,
    pub undo_rate: f64,
    /// Decisions that met another reviewer's decision of the same case.
    pub conflicts: u32,
    /// Applied decisions a later applied decision of another reviewer replaced.
    pub changed_later: u32,
    /// Applied decisions that came after the case's SLA had run out (cases whose creation
    /// time the desk has cached).
    pub sla_breaches: u32,
}

/// The figures of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditStats {
    pub from: Option<String>,
    pub until: Option<String>,
    #[ts(type = "number")]
    pub entries: u64,
    /// The SLA the breaches are counted against.
    pub sla_hours: u32,
    pub team: Figures,
    pub reviewers: Vec<Figures>,
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(rank).copied()
}

fn seconds_between(earlier: &str, later: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(earlier).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(later).ok()?;
    Some((b - a).num_milliseconds() as f64 / 1000.0)
}

#[derive(Default)]
struct Tally {
    figures: Figures,
    days: BTreeMap<String, u32>,
    waits: Vec<f64>,
}

impl Tally {
    fn finish(mut self) -> Figures {
        self.waits.sort_by(f64::total_cmp);
        let f = &mut self.figures;
        f.per_day = self.days.into_iter().collect();
        f.open_to_decide_median_s = percentile(&self.waits, 0.5);
        f.open_to_decide_p90_s = percentile(&self.waits, 0.9);
        f.undo_rate = if f.queued == 0 {
            0.0
        } else {
            f64::from(f.undone) / f64::from(f.queued)
        };
        self.figures
    }
}

/// When each case's SLA ran out, from its creation instant.
pub struct Deadlines {
    pub created: HashMap<String, String>,
    pub sla: chrono::Duration,
}

impl Deadlines {
    fn breached(&self, case_id: &str, decided_at: &str) -> bool {
        let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
        match (
            self.created.get(case_id).and_then(|c| parse(c)),
            parse(decided_at),
        ) {
            (Some(created), Some(decided)) => decided > created + self.sla,
            _ => false,
        }
    }
}

/// The figures of `entries` (in log order, oldest first).
pub fn figures(entries: &[AuditEntry], deadlines: &Deadlines) -> (Figures, Vec<Figures>) {
    let mut team = Tally::default();
    team.figures.reviewer = "Team".into();
    let mut people: BTreeMap<String, Tally> = BTreeMap::new();
    // The last time each reviewer opened each case.
    let mut opened: HashMap<(&str, &str), &str> = HashMap::new();
    // Who applied the last decision of each case.
    let mut last_applied: HashMap<&str, &str> = HashMap::new();
    for e in entries {
        let d = &e.draft;
        let person = people.entry(d.actor.clone()).or_insert_with(|| Tally {
            figures: Figures {
                reviewer: d.actor.clone(),
                ..Figures::default()
            },
            ..Tally::default()
        });
        let decision = DECISIONS.contains(&d.action.as_str());
        let mut replaced: Option<&str> = None;
        let mut count = |f: &mut dyn FnMut(&mut Tally)| {
            f(&mut team);
            f(person);
        };
        match (
            d.action.as_str(),
            d.from_state.as_deref(),
            d.to_state.as_deref(),
        ) {
            ("opened", _, _) => {
                opened.insert((d.actor.as_str(), d.case_id.as_str()), d.at.as_str());
            }
            ("undo", _, _) => count(&mut |t| t.figures.undone += 1),
            (_, None, Some("queued")) if decision => {
                let wait = opened
                    .get(&(d.actor.as_str(), d.case_id.as_str()))
                    .and_then(|at| seconds_between(at, &d.at));
                count(&mut |t| {
                    t.figures.queued += 1;
                    if let Some(w) = wait {
                        t.waits.push(w);
                    }
                });
            }
            (_, _, Some("applied")) if decision => {
                let day = d.at.get(..10).unwrap_or_default().to_owned();
                let late = deadlines.breached(&d.case_id, &d.at);
                count(&mut |t| {
                    t.figures.sla_breaches += u32::from(late);
                    t.figures.decisions += 1;
                    match d.action.as_str() {
                        "approve" => t.figures.approved += 1,
                        "decline" => t.figures.declined += 1,
                        _ => t.figures.resubmitted += 1,
                    }
                    *t.days.entry(day.clone()).or_default() += 1;
                });
                replaced = last_applied
                    .insert(d.case_id.as_str(), d.actor.as_str())
                    .filter(|before| *before != d.actor);
            }
            (_, _, Some("conflict")) if decision => count(&mut |t| t.figures.conflicts += 1),
            _ => {}
        }
        if let Some(before) = replaced {
            team.figures.changed_later += 1;
            if let Some(p) = people.get_mut(before) {
                p.figures.changed_later += 1;
            }
        }
    }
    let reviewers = people
        .into_values()
        .map(Tally::finish)
        .filter(|f| f.queued + f.decisions + f.undone + f.conflicts > 0)
        .collect();
    (team.finish(), reviewers)
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// The figures of `log` between `from` and `until` (dates or instants, as the filter),
    /// breaches counted against an SLA of `sla_hours`.
    pub async fn audit_stats(
        &self,
        log: &impl AuditSearch,
        from: Option<&str>,
        until: Option<&str>,
        sla_hours: u32,
    ) -> Result<AuditStats, DeskError> {
        let filter = AuditFilter {
            from: from.map(str::to_owned),
            until: until.map(str::to_owned),
            ..AuditFilter::default()
        };
        let query = self.audit_query(&filter).await?;
        let entries = read_all(log, &query).await?;
        let deadlines = Deadlines {
            created: self.store.created_at_all().await?.into_iter().collect(),
            sla: chrono::Duration::hours(i64::from(sla_hours)),
        };
        let (team, reviewers) = figures(&entries, &deadlines);
        Ok(AuditStats {
            sla_hours,
            from: query.filter.from,
            until: query.filter.until,
            entries: entries.len() as u64,
            team,
            reviewers,
        })
    }

    /// Notes in the log that this reviewer opened a case (for the time it takes to decide).
    pub async fn note_opened(&self, case_id: &str) -> Result<(), DeskError> {
        self.store
            .append_audit(&self.draft("opened", case_id))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditDraft;

    fn e(
        at: &str,
        actor: &str,
        action: &str,
        case: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> AuditEntry {
        AuditEntry::seal(
            AuditDraft {
                at: format!("2026-12-{at}Z"),
                actor: actor.into(),
                action: action.into(),
                case_id: case.into(),
                from_state: from.map(Into::into),
                to_state: to.map(Into::into),
                app_version: "t".into(),
                ..AuditDraft::default()
            },
            None,
        )
    }

    #[test]
    fn figures_count_decisions_waits_undos_conflicts_and_later_changes() {
        let (a, y) = ("Amira", "Youssef");
        let log = vec![
            e("01T09:00:00", a, "opened", "c1", None, None),
            e("01T09:00:30", a, "decline", "c1", None, Some("queued")),
            e(
                "01T09:00:40",
                a,
                "decline",
                "c1",
                Some("sending"),
                Some("applied"),
            ),
            e("01T10:00:00", a, "opened", "c2", None, None),
            e("01T10:02:00", a, "approve", "c2", None, Some("queued")),
            e(
                "01T10:02:05",
                a,
                "undo",
                "c2",
                Some("queued"),
                Some("cancelled"),
            ),
            e("02T08:00:00", y, "opened", "c1", None, None),
            e("02T08:01:30", y, "approve", "c1", None, Some("queued")),
            e(
                "02T08:01:40",
                y,
                "approve",
                "c1",
                Some("sending"),
                Some("applied"),
            ),
            e("02T09:00:00", y, "approve", "c3", None, Some("queued")),
            e(
                "02T09:00:10",
                y,
                "approve",
                "c3",
                Some("sending"),
                Some("conflict"),
            ),
            e("02T09:30:00", y, "reveal", "c3", None, None),
        ];
        // c1 was created on the 1st at 00:00: decided within 24 h by Amira, late by Youssef.
        let deadlines = Deadlines {
            created: [("c1".to_owned(), "2026-12-01T00:00:00Z".to_owned())].into(),
            sla: chrono::Duration::hours(24),
        };
        let (team, people) = figures(&log, &deadlines);
        assert_eq!(team.sla_breaches, 1);
        assert_eq!((people[0].sla_breaches, people[1].sla_breaches), (0, 1));
        assert_eq!((team.decisions, team.approved, team.declined), (2, 1, 1));
        assert_eq!(
            team.per_day,
            [("2026-12-01".to_owned(), 1), ("2026-12-02".to_owned(), 1)]
        );
        assert_eq!(
            (team.queued, team.undone, team.conflicts, team.changed_later),
            (4, 1, 1, 1)
        );
        assert_eq!(team.undo_rate, 0.25);
        // Waits: 30 s, 120 s (Amira), 90 s (Youssef); c3 was never opened here.
        assert_eq!(team.open_to_decide_median_s, Some(90.0));
        assert_eq!(team.open_to_decide_p90_s, Some(120.0));
        let amira = &people[0];
        assert_eq!(
            (amira.reviewer.as_str(), amira.changed_later, amira.undone),
            ("Amira", 1, 1)
        );
        assert_eq!(amira.open_to_decide_median_s, Some(120.0));
        let youssef = &people[1];
        assert_eq!(
            (youssef.decisions, youssef.conflicts, youssef.changed_later),
            (1, 1, 0)
        );
        assert_eq!(people.len(), 2, "only reviewers who decided are listed");
    }
}

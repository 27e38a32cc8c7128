//! The team lead's audit: filtered pages of the log, newest first, and exports of a filtered
//! view (CSV or JSON) whose cells cannot start a spreadsheet formula, with comments withheld
//! unless the lead says why they need them, and a signed checkpoint of the chain's head beside.

use std::borrow::Cow;
use std::future::Future;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, Checkpoint};
use crate::desk::{Desk, DeskError};
use crate::ports::{CaseCache, CaseSource, Clock, Journal, StoreError};

/// The most entries one page holds.
pub const MAX_PAGE: u32 = 500;
/// Entries read per step of an export.
pub const EXPORT_BATCH: u32 = 5_000;

/// Which entries to show; every part optional, all parts must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilter {
    /// The reviewer, `Name <email>` as the log writes it.
    pub actor: Option<String>,
    /// What was done: `decline`, `blocklist_add`, `reveal`, `claim_cleared`, …
    pub action: Option<String>,
    /// The state an action reached: `applied`, `rejected`, `conflict`, `needs_attention`, …
    pub to_state: Option<String>,
    pub reason_id: Option<String>,
    /// A warning code the case carries (as its cached summary says).
    pub warning: Option<String>,
    pub case_id: Option<String>,
    /// From this instant on (RFC 3339, or a date: its start, UTC).
    pub from: Option<String>,
    /// Before this instant (RFC 3339, or a date: the end of that day, UTC).
    pub until: Option<String>,
}

impl AuditFilter {
    /// The filter with dates turned into the log's own timestamps, blank parts dropped, and
    /// a clear error for what cannot be a date.
    pub fn normalized(&self) -> Result<Self, DeskError> {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(Self {
            actor: clean(&self.actor),
            action: clean(&self.action),
            to_state: clean(&self.to_state),
            reason_id: clean(&self.reason_id),
            warning: clean(&self.warning),
            case_id: clean(&self.case_id),
            from: clean(&self.from).map(|v| instant(&v, false)).transpose()?,
            until: clean(&self.until).map(|v| instant(&v, true)).transpose()?,
        })
    }

    /// Whether `entry` passes every part but the warning code (which needs the case's facts).
    pub fn admits(&self, entry: &AuditEntry) -> bool {
        let d = &entry.draft;
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        eq(&self.actor, Some(&d.actor))
            && eq(&self.action, Some(&d.action))
            && eq(&self.to_state, d.to_state.as_deref())
            && eq(&self.reason_id, d.reason_id.as_deref())
            && eq(&self.case_id, Some(&d.case_id))
            && self.from.as_deref().is_none_or(|f| d.at.as_str() >= f)
            && self.until.as_deref().is_none_or(|u| d.at.as_str() < u)
    }
}

/// `2026-12-01` or an RFC 3339 instant, as the log writes instants (UTC, microseconds).
fn instant(text: &str, end_of_day: bool) -> Result<String, DeskError> {
    let at = if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end_of_day {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        day.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| DeskError::NotAllowed(format!("{text:?} is not a date")))?
    } else {
        chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| {
                DeskError::NotAllowed(format!(
                    "{text:?} is not a date (2026-12-01) or an instant (2026-12-01T09:30:00Z)"
                ))
            })?
            .with_timezone(&chrono::Utc)
    };
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// A filter as the log answers it: the warning code resolved into the cases that carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Normalized; its `warning` is already resolved into `among`.
    pub filter: AuditFilter,
    /// Only entries of these cases (None: any case).
    pub among: Option<Vec<String>>,
    /// Only entries from this seq on (a page looks through the log a window at a time).
    pub from_seq: Option<i64>,
}

impl AuditQuery {
    /// Whether one index walk finds every match in order: no filter, one column's, or a few
    /// sessions'. Otherwise entries passing one condition may fail the others for long
    /// stretches (and a date range is checked entry by entry), so a page looks a window of
    /// the log at a time.
    fn walks_straight(&self) -> bool {
        let f = &self.filter;
        let columns = [&f.actor, &f.action, &f.to_state, &f.reason_id]
            .iter()
            .filter(|c| c.is_some())
            .count();
        let dated = f.from.is_some() || f.until.is_some();
        f.case_id.is_some() || self.among.is_some() || (columns <= 1 && !dated)
    }
}

/// How many seqs one step of a filtered page looks through.
const SCAN_WINDOW: i64 = 25_000;
/// A filtered page stops looking after this long and says where to go on.
const PAGE_BUDGET: std::time::Duration = std::time::Duration::from_millis(25);

/// Entries newest first, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; None: this was the last.
    pub next_before: Option<i64>,
}

/// The log's side of the lead's audit: SQLite for a desk's own log, PostgreSQL for a team's.
pub trait AuditSearch: Send + Sync {
    /// Up to `limit` entries passing `query` with seq < `before`, newest first.
    fn audit_search(
        &self,
        query: &AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
    /// Every reviewer who wrote to the log, for the reviewer filter.
    fn audit_actors(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

/// Every entry of `log` passing `query`, oldest first.
pub(crate) async fn read_all(
    log: &impl AuditSearch,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, DeskError> {
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let page = log.audit_search(query, before, EXPORT_BATCH).await?;
        let full = page.len() as u32 == EXPORT_BATCH;
        before = page.last().map(|e| e.seq);
        entries.extend(page);
        if !full {
            break;
        }
    }
    entries.reverse();
    Ok(entries)
}

/// A page of `query` below seq `upper`, looked for window by window down the log until it is
/// full, the log ends, or the time is up: then it says where the next page goes on (possibly
/// with fewer entries than asked).
async fn windowed_page(
    log: &impl AuditSearch,
    mut query: AuditQuery,
    mut upper: i64,
    limit: u32,
    window: i64,
) -> Result<AuditPage, StoreError> {
    let started = std::time::Instant::now();
    let mut entries = Vec::new();
    while upper > 1 {
        let floor = (upper - window).max(1);
        query.from_seq = Some(floor);
        let want = limit - entries.len() as u32;
        let found = log.audit_search(&query, Some(upper), want).await?;
        let full = found.len() as u32 == want;
        entries.extend(found);
        if full {
            let next_before = entries.last().map(|e| e.seq);
            return Ok(AuditPage {
                entries,
                next_before,
            });
        }
        upper = floor;
        if started.elapsed() > PAGE_BUDGET && upper > 1 {
            return Ok(AuditPage {
                entries,
                next_before: Some(upper),
            });
        }
    }
    Ok(AuditPage {
        entries,
        next_before: None,
    })
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    #[ts(type = "number")]
    pub entries: u64,
    /// Comments were written as they are (the lead gave a reason, audited).
    pub comments_shown: bool,
    /// The signed checkpoint of the chain's head that travels with the export.
    pub checkpoint: Checkpoint,
}

/// The columns of an export, in order.
pub const EXPORT_COLUMNS: [&str; 15] = [
    "seq",
    "at",
    "actor",
    "action",
    "case_id",
    "action_id",
    "from_state",
    "to_state",
    "reason_id",
    "comment",
    "outcome",
    "token",
    "app_version",
    "prev_hash",
    "hash",
];

/// A cell a spreadsheet will not run: text starting with = + - @, a tab or a carriage return
/// gets a leading apostrophe (OWASP's advice for CSV injection). Quoting is the CSV writer's.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The fields of one entry as an export writes them (comment withheld unless shown), borrowed
/// from the entry where they can be: an export of a million entries allocates little.
fn export_fields(entry: &AuditEntry, comments_shown: bool) -> [Cow<'_, str>; 15] {
    let d = &entry.draft;
    fn opt(v: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(v.as_deref().unwrap_or(""))
    }
    let comment = match (&d.comment, comments_shown) {
        (Some(c), false) => Cow::Owned(format!("[withheld: {} characters]", c.chars().count())),
        (c, _) => opt(c),
    };
    [
        Cow::Owned(entry.seq.to_string()),
        Cow::Borrowed(&d.at),
        Cow::Borrowed(&d.actor),
        Cow::Borrowed(&d.action),
        Cow::Borrowed(&d.case_id),
        opt(&d.action_id),
        opt(&d.from_state),
        opt(&d.to_state),
        opt(&d.reason_id),
        comment,
        opt(&d.outcome),
        opt(&d.token),
        Cow::Borrowed(&d.app_version),
        Cow::Borrowed(&entry.prev_hash),
        Cow::Borrowed(&entry.hash),
    ]
}

/// One entry as a JSON object, its keys in column order.
struct JsonRow<'a>(&'a [Cow<'a, str>; 15]);

impl Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(EXPORT_COLUMNS.len()))?;
        for (key, value) in EXPORT_COLUMNS.iter().zip(self.0) {
            map.serialize_entry(key, value.as_ref())?;
        }
        map.end()
    }
}

/// Writes entries as CSV (RFC 4180 quoting, neutralized cells) or as a JSON array.
pub struct ExportWriter<W: Write> {
    format: ExportFormat,
    comments_shown: bool,
    csv: Option<csv::Writer<W>>,
    json: Option<W>,
    first: bool,
}

impl<W: Write> ExportWriter<W> {
    pub fn new(out: W, format: ExportFormat, comments_shown: bool) -> std::io::Result<Self> {
        let mut w = Self {
            format,
            comments_shown,
            csv: None,
            json: None,
            first: true,
        };
        match format {
            ExportFormat::Csv => {
                let mut csv = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .buffer_capacity(1 << 16)
                    .from_writer(out);
                csv.write_record(EXPORT_COLUMNS)?;
                w.csv = Some(csv);
            }
            ExportFormat::Json => {
                let mut out = out;
                out.write_all(b"[")?;
                w.json = Some(out);
            }
        }
        Ok(w)
    }

    pub fn write(&mut self, entry: &AuditEntry) -> std::io::Result<()> {
        let fields = export_fields(entry, self.comments_shown);
        match self.format {
            ExportFormat::Csv => {
                if let Some(csv) = &mut self.csv {
                    for field in &fields {
                        csv.write_field(neutralize(field).as_bytes())?;
                    }
                    csv.write_record(None::<&[u8]>)?;
                }
            }
            ExportFormat::Json => {
                if let Some(out) = &mut self.json {
                    if !self.first {
                        out.write_all(b",")?;
                    }
                    out.write_all(b"\n")?;
                    serde_json::to_writer(&mut *out, &JsonRow(&fields))?;
                }
            }
        }
        self.first = false;
        Ok(())
    }

    pub fn finish(self) -> std::io::Result<()> {
        if let Some(mut csv) = self.csv {
            csv.flush()?;
        }
        if let Some(mut out) = self.json {
            out.write_all(b"\n]\n")?;
            out.flush()?;
        }
        Ok(())
    }
}

impl<S: CaseSource, T: CaseCache + Journal, C: Clock> Desk<S, T, C> {
    /// `filter`, checked and with its warning code resolved on the cached summaries.
    pub async fn audit_query(&self, filter: &AuditFilter) -> Result<AuditQuery, DeskError> {
        let filter = filter.normalized()?;
        let among = match &filter.warning {
            Some(code) => Some(self.store.cases_with_warning(code).await?),
            None => None,
        };
        Ok(AuditQuery {
            filter,
            among,
            from_seq: None,
        })
    }

    /// One page of the lead's audit view: entries passing `filter`, newest first, from `log`
    /// (this desk's own, or the team's). The warning code is matched on the cases' cached facts.
    pub async fn audit_view(
        &self,
        log: &(impl AuditSearch + Journal),
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditPage, DeskError> {
        let query = self.audit_query(filter).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        if query.walks_straight() {
            let entries = log.audit_search(&query, before, limit).await?;
            let next_before = (entries.len() as u32 == limit)
                .then(|| entries.last().map(|e| e.seq))
                .flatten();
            return Ok(AuditPage {
                entries,
                next_before,
            });
        }
        let upper = match before {
            Some(b) => b,
            None => log.audit_max_seq().await?.unwrap_or(0) + 1,
        };
        Ok(windowed_page(log, query, upper, limit, SCAN_WINDOW).await?)
    }

    /// Writes every entry of `log` passing `filter` (newest first) to `out`, calling `progress`
    /// after each batch with the count so far (false from it stops the export: cancelled).
    /// Comments are written only with a reason, which is audited; the chain's head is signed.
    #[allow(clippy::too_many_arguments)]
    pub async fn export_audit<W: Write>(
        &self,
        log: &(impl AuditSearch + Journal),
        filter: &AuditFilter,
        format: ExportFormat,
        out: W,
        show_comments_because: Option<&str>,
        seed: &[u8; 32],
        mut progress: impl FnMut(u64) -> bool,
    ) -> Result<ExportReport, DeskError> {
        let query = self.audit_query(filter).await?;
        let reason = crate::action::optional_comment(show_comments_because)?;
        let io = |e: std::io::Error| {
            DeskError::NotAllowed(format!("the export could not be written: {e}"))
        };
        // The export covers the log up to its head now; the whole chain is verified while the
        // entries are written (both mostly wait on reads), and a log that does not verify fails
        // the export, which the caller then discards.
        let head = log.audit_max_seq().await?;
        let head_hash = match head {
            Some(seq) => log
                .audit_page(seq - 1, 1)
                .await?
                .into_iter()
                .find(|e| e.seq == seq)
                .map(|e| e.hash),
            None => None,
        };
        let checkpoint = crate::audit::sign_checkpoint(
            seed,
            head.unwrap_or(0),
            head_hash.as_deref().unwrap_or(crate::audit::GENESIS),
            &self.stamp_now(),
        );
        let write = async {
            let mut writer = ExportWriter::new(out, format, reason.is_some()).map_err(io)?;
            let mut before = head.map(|s| s + 1);
            let mut written = 0u64;
            loop {
                let page = log.audit_search(&query, before, EXPORT_BATCH).await?;
                for entry in &page {
                    writer.write(entry).map_err(io)?;
                }
                written += page.len() as u64;
                if !progress(written) {
                    return Err(DeskError::NotAllowed(format!(
                        "export cancelled after {written} entries"
                    )));
                }
                match page.last() {
                    Some(last) if page.len() as u32 == EXPORT_BATCH => before = Some(last.seq),
                    _ => break,
                }
            }
            writer.finish().map_err(io)?;
            Ok::<u64, DeskError>(written)
        };
        let verify = crate::audit::verify(log, None);
        let (written, report) = futures_util::future::join(write, verify).await;
        if let Some(b) = report?.broken {
            return Err(DeskError::NotAllowed(format!(
                "not exported: {b}; an export must come from a log that verifies"
            )));
        }
        let written = written?;
        let mut draft = self.draft("audit_exported", "");
        draft.outcome = Some(format!(
            "{written} entries as {}, head {} signed; filter {}",
            match format {
                ExportFormat::Csv => "CSV",
                ExportFormat::Json => "JSON",
            },
            checkpoint.seq,
            serde_json::to_string(&query.filter).unwrap_or_default()
        ));
        draft.comment = reason.map(|r| format!("comments shown: {r}"));
        self.store.append_audit(&draft).await?;
        Ok(ExportReport {
            entries: written,
            comments_shown: draft.comment.is_some(),
            checkpoint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A log in memory for the page logic alone: the filter applied entry by entry.
    struct VecLog(Vec<AuditEntry>, std::sync::Mutex<u32>);

    impl AuditSearch for VecLog {
        async fn audit_search(
            &self,
            query: &AuditQuery,
            before: Option<i64>,
            limit: u32,
        ) -> Result<Vec<AuditEntry>, StoreError> {
            *self.1.lock().unwrap() += 1;
            Ok(self
                .0
                .iter()
                .rev()
                .filter(|e| query.filter.admits(e))
                .filter(|e| before.is_none_or(|b| e.seq < b))
                .filter(|e| query.from_seq.is_none_or(|f| e.seq >= f))
                .take(limit as usize)
                .cloned()
                .collect())
        }
        async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
            Ok(Vec::new())
        }
    }

    impl VecLog {
        fn max(&self) -> Option<i64> {
            self.0.last().map(|e| e.seq)
        }
    }

    #[tokio::test]
    async fn a_page_looks_window_by_window_and_finds_every_match_once_in_order() {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for n in 0..200usize {
            let head = entries.last().map(|e| (e.seq, e.hash.as_str()));
            let draft = crate::audit::AuditDraft {
                at: "2026-12-01T09:00:00.000000Z".into(),
                actor: ["Amira", "Youssef"][n % 2].into(),
                // Amira declines only in entries 40 to 49 and 150 to 159.
                action: if (40..50).contains(&n) || (150..160).contains(&n) {
                    "decline"
                } else {
                    "approve"
                }
                .into(),
                app_version: "t".into(),
                ..Default::default()
            };
            entries.push(AuditEntry::seal(draft, head));
        }
        let log = VecLog(entries, std::sync::Mutex::new(0));
        let filter = AuditFilter {
            actor: Some("Amira".into()),
            action: Some("decline".into()),
            ..AuditFilter::default()
        };
        let want: Vec<i64> = log
            .0
            .iter()
            .rev()
            .filter(|e| filter.admits(e))
            .map(|e| e.seq)
            .collect();
        assert_eq!(want.len(), 10);
        let query = AuditQuery {
            filter,
            among: None,
            from_seq: None,
        };
        assert!(!query.walks_straight());
        let mut got = Vec::new();
        let mut upper = log.max().unwrap_or(0) + 1;
        let mut pages = 0;
        loop {
            let page = windowed_page(&log, query.clone(), upper, 3, 25)
                .await
                .unwrap();
            pages += 1;
            got.extend(page.entries.iter().map(|e| e.seq));
            match page.next_before {
                Some(next) => upper = next,
                None => break,
            }
        }
        assert_eq!(got, want);
        assert_eq!(pages, 4, "3 + 3 + 3 + 1 entries");
        assert!(
            *log.1.lock().unwrap() <= 8 + 4,
            "each window read once per page"
        );
    }

    fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    fn entry_with(comment: &str, actor: &str) -> AuditEntry {
        AuditEntry::seal(
            crate::audit::AuditDraft {
                at: "2026-12-01T09:00:00.000000Z".into(),
                actor: actor.into(),
                action: "decline".into(),
                case_id: "case".into(),
                comment: Some(comment.into()),
                outcome: Some(comment.into()),
                app_version: "t".into(),
                ..Default::default()
            },
            None,
        )
    }

    proptest! {
        /// Any text survives a CSV round trip (apart from the apostrophe a formula-like cell
        /// gains), and no cell of the file can start a formula.
        #[test]
        fn any_text_round_trips_through_csv_and_no_cell_starts_a_formula(text in any::<String>(), actor in "\\PC{0,40}") {
            let mut out = Vec::new();
            let mut w = ExportWriter::new(&mut out, ExportFormat::Csv, true).unwrap();
            w.write(&entry_with(&text, &actor)).unwrap();
            w.finish().unwrap();
            let rows = read_back(&out);
            prop_assert_eq!(rows.len(), 1);
            for cell in &rows[0] {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", cell);
            }
            prop_assert_eq!(&rows[0][9], &neutralize(&text).into_owned());
            prop_assert_eq!(&rows[0][2], &neutralize(&actor).into_owned());
        }
    }

    #[test]
    fn comments_are_withheld_unless_shown_and_json_is_an_array_of_objects() {
        let e = entry_with("=HYPERLINK(\"http://evil\")", "Amira <amira@dhmad.tn>");
        let mut out = Vec::new();
        let mut w = ExportWriter::new(&mut out, ExportFormat::Csv, false).unwrap();
        w.write(&e).unwrap();
        w.finish().unwrap();
        let rows = read_back(&out);
        assert_eq!(rows[0][9], "[withheld: 25 characters]");
        assert_eq!(rows[0][10], "'=HYPERLINK(\"http://evil\")");

        let mut out = Vec::new();
        let mut w = ExportWriter::new(&mut out, ExportFormat::Json, true).unwrap();
        w.write(&e).unwrap();
        w.write(&e).unwrap();
        w.finish().unwrap();
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0]["comment"], "=HYPERLINK(\"http://evil\")");
    }

    #[test]
    fn dates_become_the_logs_instants_and_bad_ones_are_refused() {
        let f = AuditFilter {
            from: Some("2026-12-01".into()),
            until: Some(" 2026-12-01 ".into()),
            actor: Some("  ".into()),
            ..Default::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(f.from.as_deref(), Some("2026-12-01T00:00:00.000000Z"));
        assert_eq!(f.until.as_deref(), Some("2026-12-02T00:00:00.000000Z"));
        assert_eq!(f.actor, None);
        let bad = AuditFilter {
            from: Some("yesterday".into()),
            ..Default::default()
        };
        assert!(bad.normalized().is_err());
    }
}

//! The team lead's audit: filtered pages of the log, newest first, and exports of a filtered
//! view (CSV or JSON) whose cells cannot start a spreadsheet formula, with comments withheld
//! unless the lead says why they need them, and a signed checkpoint of the chain's head beside.

use std::borrow::Cow;
use std::future::Future;
use std::io::Write;

use serde::{Deserialize, Serialize};

use std::collections::HashSet;

use crate::audit::{AuditEntry, AuditVisitor, ChainLink, Checkpoint, EntryRef};
use crate::desk::{Desk, DeskError};
use crate::ports::{AuditLog, CaseSource, Clock, Store, StoreError};

/// The most entries one page holds.
pub const MAX_PAGE: u32 = 500;
/// Entries read per step of an export.
pub const EXPORT_BATCH: u32 = 5_000;
/// Seqs per window of an export's pass over the log.
const EXPORT_WINDOW: i64 = 20_000;

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
        self.admits_ref(&EntryRef::of(entry))
    }

    /// `admits`, for an entry as the store lends it.
    fn admits_ref(&self, entry: &EntryRef<'_>) -> bool {
        let eq = |want: &Option<String>, i: usize| {
            want.as_deref()
                .is_none_or(|w| entry.text(i) == Some(w.as_bytes()))
        };
        let at = entry.text(0).unwrap_or_default();
        eq(&self.actor, 1)
            && eq(&self.action, 2)
            && eq(&self.case_id, 3)
            && eq(&self.to_state, 6)
            && eq(&self.reason_id, 7)
            && self
                .from
                .as_deref()
                .is_none_or(|from| at >= from.as_bytes())
            && self
                .until
                .as_deref()
                .is_none_or(|until| at < until.as_bytes())
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

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

impl AuditQuery {
    /// Whether `entry` passes the filter and belongs to one of `among` (when given).
    fn admits_ref(&self, entry: &EntryRef<'_>, among: Option<&HashSet<String>>) -> bool {
        self.filter.admits_ref(entry)
            && among.is_none_or(|ids| {
                std::str::from_utf8(entry.text(3).unwrap_or_default())
                    .is_ok_and(|case| ids.contains(case))
            })
    }
}

/// The fields of one entry as an export writes them (comment withheld unless shown), borrowed
/// where they can be.
fn export_fields<'a>(entry: &EntryRef<'a>, comments_shown: bool) -> [Cow<'a, str>; 15] {
    let opt = |i: usize| entry.text(i).map_or(Cow::Borrowed(""), text);
    let comment = match (entry.text(8), comments_shown) {
        (Some(c), false) => Cow::Owned(format!(
            "[withheld: {} characters]",
            text(c).chars().count()
        )),
        _ => opt(8),
    };
    [
        Cow::Owned(entry.seq.to_string()),
        opt(0),
        opt(1),
        opt(2),
        opt(3),
        opt(4),
        opt(5),
        opt(6),
        opt(7),
        comment,
        opt(9),
        opt(10),
        opt(11),
        text(entry.prev_hash),
        text(entry.hash),
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

/// Export rows as bytes: CSV records (RFC 4180 quoting by the `csv` crate, CRLF, neutralized
/// cells), or JSON objects each preceded by `,` and a newline. Parts of one export are made
/// apart (a window of the log each) and joined in order by `ExportWriter`.
pub struct ExportRows {
    format: ExportFormat,
    comments_shown: bool,
    csv: Option<csv::Writer<Vec<u8>>>,
    json: Vec<u8>,
}

fn csv_rows() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(8 << 10)
        .from_writer(Vec::new())
}

impl ExportRows {
    pub fn new(format: ExportFormat, comments_shown: bool) -> Self {
        Self {
            format,
            comments_shown,
            csv: None,
            json: Vec::new(),
        }
    }

    pub fn push(&mut self, entry: &EntryRef<'_>) -> std::io::Result<()> {
        let fields = export_fields(entry, self.comments_shown);
        match self.format {
            ExportFormat::Csv => {
                let csv = self.csv.get_or_insert_with(csv_rows);
                for field in &fields {
                    csv.write_field(neutralize(field).as_bytes())?;
                }
                csv.write_record(None::<&[u8]>)?;
            }
            ExportFormat::Json => {
                self.json.extend_from_slice(b",\n");
                serde_json::to_writer(&mut self.json, &JsonRow(&fields))?;
            }
        }
        Ok(())
    }

    /// The bytes made so far (and a fresh start).
    pub fn take(&mut self) -> std::io::Result<Vec<u8>> {
        match self.format {
            ExportFormat::Csv => match self.csv.take() {
                Some(csv) => csv.into_inner().map_err(|e| e.into_error()),
                None => Ok(Vec::new()),
            },
            ExportFormat::Json => Ok(std::mem::take(&mut self.json)),
        }
    }
}

/// Writes an export: the header (CSV's column names, JSON's `[`), parts of rows in order, the
/// end.
pub struct ExportWriter<W: Write> {
    out: W,
    format: ExportFormat,
    rows: ExportRows,
    first: bool,
}

impl<W: Write> ExportWriter<W> {
    pub fn new(mut out: W, format: ExportFormat, comments_shown: bool) -> std::io::Result<Self> {
        match format {
            ExportFormat::Csv => {
                let mut header = csv_rows();
                header.write_record(EXPORT_COLUMNS)?;
                out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
            }
            ExportFormat::Json => out.write_all(b"[")?,
        }
        Ok(Self {
            out,
            format,
            rows: ExportRows::new(format, comments_shown),
            first: true,
        })
    }

    pub fn write(&mut self, entry: &AuditEntry) -> std::io::Result<()> {
        self.rows.push(&EntryRef::of(entry))?;
        let part = self.rows.take()?;
        self.write_part(&part)
    }

    /// Rows made by an `ExportRows` of the same format, in order.
    pub fn write_part(&mut self, part: &[u8]) -> std::io::Result<()> {
        if part.is_empty() {
            return Ok(());
        }
        // JSON rows each start with a comma; the array's first does not.
        let part = match (self.format, self.first) {
            (ExportFormat::Json, true) => part.strip_prefix(b",").unwrap_or(part),
            _ => part,
        };
        self.first = false;
        self.out.write_all(part)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        if self.format == ExportFormat::Json {
            self.out.write_all(b"\n]\n")?;
        }
        self.out.flush()
    }
}

/// One window of the log read for an export: its rows made, and its links (newest first).
struct ExportPart {
    query: std::sync::Arc<(AuditQuery, Option<HashSet<String>>)>,
    rows: ExportRows,
    links: Vec<ChainLink>,
    written: u64,
    failed: Option<std::io::Error>,
}

impl AuditVisitor for ExportPart {
    fn visit(&mut self, entry: &EntryRef<'_>) {
        self.links.push(entry.link());
        let (query, among) = &*self.query;
        if self.failed.is_none() && query.admits_ref(entry, among.as_ref()) {
            match self.rows.push(entry) {
                Ok(()) => self.written += 1,
                Err(e) => self.failed = Some(e),
            }
        }
    }
}

/// Whether windows of links, each checked on its own and joined in seq order, make one intact
/// chain from entry 1: the count, or None at the first sign of a break (the caller then asks
/// `audit::verify` where exactly).
#[derive(Default)]
struct ChainJoin {
    /// (seq, hash) of the newest entry checked so far, in seq order.
    windows: Vec<(i64, String, i64, String)>,
    count: u64,
    broken: bool,
}

impl ChainJoin {
    /// A window's links, newest first as read.
    fn add(&mut self, links: &mut [ChainLink]) {
        links.reverse();
        let (Some(first), Some(last)) = (links.first(), links.last()) else {
            return;
        };
        // Checked from its own first entry's predecessor; the joins are checked at the end.
        let mut check = crate::audit::ChainCheck::new();
        check.head = Some((first.seq - 1, first.prev_hash.clone()));
        if check.feed_links(links).is_err() {
            self.broken = true;
        }
        self.count += check.count;
        self.windows.push((
            first.seq,
            first.prev_hash.clone(),
            last.seq,
            last.hash.clone(),
        ));
    }

    /// The count of an intact chain and its head's hash (the genesis for none), or None.
    fn finish(mut self) -> Option<(u64, String)> {
        self.windows.sort_by_key(|w| w.0);
        let mut expected = (1, crate::audit::GENESIS.to_owned());
        for (first_seq, first_prev, last_seq, last_hash) in self.windows {
            if (first_seq, first_prev) != expected {
                return None;
            }
            expected = (last_seq + 1, last_hash);
        }
        (!self.broken).then_some((self.count, expected.1))
    }
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
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
        log: &(impl AuditSearch + AuditLog),
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
        log: &(impl AuditSearch + AuditLog),
        filter: &AuditFilter,
        format: ExportFormat,
        out: W,
        show_comments_because: Option<&str>,
        seed: &[u8; 32],
        mut progress: impl FnMut(u64) -> bool,
    ) -> Result<ExportReport, DeskError> {
        let query = self.audit_query(filter).await?;
        let reason = crate::model::request::optional_comment(show_comments_because)?;
        let io = |e: std::io::Error| {
            DeskError::NotAllowed(format!("the export could not be written: {e}"))
        };
        // The export covers the log up to its head now, and signs that head.
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
        // One pass over the log, a window of seqs at a time, newest first, three in flight:
        // each window's rows are hashed (the whole chain is verified) and those passing the
        // filter are made into export rows where the store lends them, then written in order.
        // A log that does not verify fails the export, which the caller then discards.
        let among = query
            .among
            .as_ref()
            .map(|ids| ids.iter().cloned().collect::<HashSet<String>>());
        let shared = std::sync::Arc::new((query.clone(), among));
        let top = head.unwrap_or(0);
        let windows = (0..(top.max(1) + EXPORT_WINDOW - 1) / EXPORT_WINDOW).map(|k| {
            let to = top - k * EXPORT_WINDOW;
            let from = if to - EXPORT_WINDOW < 1 {
                // The oldest window also takes whatever sits below entry 1.
                i64::MIN
            } else {
                to - EXPORT_WINDOW + 1
            };
            (from, to)
        });
        let comments_shown = reason.is_some();
        use futures_util::{StreamExt, TryStreamExt};
        let parts = futures_util::stream::iter(windows)
            .map(|(from, to)| {
                let part = ExportPart {
                    query: shared.clone(),
                    rows: ExportRows::new(format, comments_shown),
                    links: Vec::new(),
                    written: 0,
                    failed: None,
                };
                log.audit_scan(from, to, part)
            })
            .buffered(3);
        futures_util::pin_mut!(parts);
        let mut writer = ExportWriter::new(out, format, comments_shown).map_err(io)?;
        let mut chain = ChainJoin::default();
        let mut written = 0u64;
        while let Some(part) = parts.try_next().await? {
            let mut part = part;
            if let Some(e) = part.failed.take() {
                return Err(io(e));
            }
            writer
                .write_part(&part.rows.take().map_err(io)?)
                .map_err(io)?;
            chain.add(&mut part.links);
            written += part.written;
            if !progress(written) {
                return Err(DeskError::NotAllowed(format!(
                    "export cancelled after {written} entries"
                )));
            }
        }
        writer.finish().map_err(io)?;
        let signed_head = head_hash.as_deref().unwrap_or(crate::audit::GENESIS);
        if chain.finish().is_none_or(|(_, hash)| hash != signed_head) {
            // Where exactly, in the words `desk audit verify` uses.
            let report = crate::audit::verify(log, None).await?;
            let why = report.broken.map_or_else(
                || "the log changed while it was read".to_owned(),
                |b| b.to_string(),
            );
            return Err(DeskError::NotAllowed(format!(
                "not exported: {why}; an export must come from a log that verifies"
            )));
        }

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

    /// A chain of `n` entries, then one change of `kind` at `at` (0: none).
    fn changed_chain(n: usize, kind: u8, at: usize) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let head = entries.last().map(|e| (e.seq, e.hash.as_str()));
            entries.push(AuditEntry::seal(
                entry_with(&format!("c{i}"), "Amira").draft,
                head,
            ));
        }
        let at = at % n;
        match kind {
            1 => entries[at].draft.comment = Some("edited".into()),
            2 if n > 1 => {
                entries.remove(at);
            }
            3 if at + 1 < n => {
                entries.swap(at, at + 1);
                let (a, b) = (entries[at].seq, entries[at + 1].seq);
                entries[at].seq = b;
                entries[at + 1].seq = a;
            }
            4 => entries[at].prev_hash = crate::audit::GENESIS.into(),
            _ => {}
        }
        entries
    }

    proptest! {
        /// The export's pass checks the chain window by window, in whatever windows the log is
        /// cut: it finds the chain intact exactly when checking it whole does.
        #[test]
        fn a_chain_checked_in_windows_is_intact_exactly_when_it_is_whole(
            n in 1usize..80,
            kind in 0u8..5,
            at in 0usize..80,
            cuts in proptest::collection::vec(0usize..80, 0..6),
        ) {
            let entries = changed_chain(n, kind, at);
            let mut whole = crate::audit::ChainCheck::new();
            let intact = whole.feed_all(&entries).is_ok();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (entries.len() + 1)).collect();
            cuts.extend([0, entries.len()]);
            cuts.sort_unstable();
            cuts.dedup();
            let mut join = ChainJoin::default();
            // Windows arrive newest first, each newest first, as the store scans them.
            for pair in cuts.windows(2).rev() {
                let mut links: Vec<ChainLink> = crate::audit::links_of(&entries[pair[0]..pair[1]]);
                links.reverse();
                join.add(&mut links);
            }
            let joined = join.finish();
            prop_assert_eq!(joined.is_some(), intact, "{:?}", cuts);
            if let Some((count, head)) = joined {
                prop_assert_eq!(count, entries.len() as u64);
                let expected = entries.last().map_or(crate::audit::GENESIS.to_owned(), |e| e.hash.clone());
                prop_assert_eq!(head, expected);
            }
        }
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

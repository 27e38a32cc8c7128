import { lazy, Suspense, useEffect, useMemo, useRef, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useLocation } from "wouter";
import type { AuditFilter, AuditRowView, ExportFormat, VerifyReport } from "./bindings";
import { backend, onExportProgress, type Exported } from "./ipc";
import { messageOf } from "./queries";

const FiguresCharts = lazy(() => import("./FiguresCharts"));

const ROW_HEIGHT = 30;
const seconds = (s: number | null) => (s == null ? "–" : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
const EMPTY: AuditFilter = { actor: null, action: null, toState: null, reasonId: null, warning: null, caseId: null, from: null, until: null };
const ACTIONS = ["approve", "decline", "resubmit", "blocklist_add", "blocklist_remove", "aml_hit", "aml_check", "resend_invite", "reveal", "claim_released", "claim_cleared", "second_look_asked", "second_look_confirmed", "second_look_refused", "blind_review", "blind_review_share", "audit_exported", "watch_changed", "opened"];
const STATES = ["queued", "sending", "applied", "rejected", "conflict", "needs_attention", "cancelled", "undone"];

/**
 * The team lead's audit: every entry newest first (the team's log on a team, else this
 * desk's), filtered; Enter or a click opens the case and its timeline; Verify checks the chain;
 * Export writes the filtered view with its signed head, with progress and a cancel.
 */
export function AuditPage() {
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState<AuditFilter>(EMPTY);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY);
  const actors = useQuery({ queryKey: ["audit-actors"], queryFn: backend.auditActors, staleTime: 30_000 });
  const pages = useInfiniteQuery({
    queryKey: ["audit", filter],
    queryFn: ({ pageParam }) => backend.auditPage(filter, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    staleTime: 0,
  });
  const stats = useQuery({ queryKey: ["audit-stats", filter.from, filter.until], queryFn: () => backend.auditStats(filter.from, filter.until), staleTime: 10_000 });
  const rows = useMemo(() => (pages.data?.pages ?? []).flatMap((p) => p.rows), [pages.data]);
  const team = pages.data?.pages[0]?.team ?? false;

  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    initialRect: { width: 900, height: 600 },
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (lastShown >= rows.length - 40 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [lastShown, rows.length, pages]);

  const [verify, setVerify] = useState<{ busy: boolean; report?: VerifyReport; error?: string }>({ busy: false });
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [because, setBecause] = useState("");
  const [exporting, setExporting] = useState<{ written: number } | null>(null);
  const [exported, setExported] = useState<Exported | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [chartsShown, setChartsShown] = useState(false);

  async function runVerify() {
    setVerify({ busy: true });
    try {
      setVerify({ busy: false, report: await backend.verifyAudit() });
    } catch (e) {
      setVerify({ busy: false, error: messageOf(e) ?? "failed" });
    }
  }

  async function runExport() {
    setExported(null);
    setExportError(null);
    setExporting({ written: 0 });
    const off = await onExportProgress((written) => setExporting({ written }));
    try {
      setExported(await backend.exportAudit(filter, format, because.trim() || null));
    } catch (e) {
      setExportError(messageOf(e));
    } finally {
      off();
      setExporting(null);
    }
  }

  const text = (key: keyof AuditFilter, label: string, placeholder = "") => (
    <label>
      {label}
      <input value={draft[key] ?? ""} placeholder={placeholder} onChange={(e) => setDraft({ ...draft, [key]: e.target.value || null })} data-testid={`audit-filter-${key}`} />
    </label>
  );
  const open = (row: AuditRowView) => row.caseId && navigate(`/case/${row.caseId}`);

  return (
    <main className="page audit" data-testid="audit-page">
      <h2>Audit {team ? "— the team's log" : "— this desk's log"}</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); setFilter(draft); }}>
        <label>
          Reviewer
          <select value={draft.actor ?? ""} onChange={(e) => setDraft({ ...draft, actor: e.target.value || null })} data-testid="audit-filter-actor">
            <option value="">anyone</option>
            {(actors.data ?? []).map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label>
          Action
          <select value={draft.action ?? ""} onChange={(e) => setDraft({ ...draft, action: e.target.value || null })} data-testid="audit-filter-action">
            <option value="">any</option>
            {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label>
          Outcome
          <select value={draft.toState ?? ""} onChange={(e) => setDraft({ ...draft, toState: e.target.value || null })} data-testid="audit-filter-state">
            <option value="">any</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        {text("reasonId", "Reason")}
        {text("warning", "Warning code")}
        {text("caseId", "Session")}
        {text("from", "From", "2026-12-01")}
        {text("until", "Until", "2026-12-31")}
        <button type="submit" className="primary" data-testid="audit-apply">Apply</button>
        <button type="button" onClick={() => { setDraft(EMPTY); setFilter(EMPTY); }}>Clear</button>
      </form>
      {pages.error && <p role="alert">{messageOf(pages.error)}</p>}
      <div className="audit-tools">
        <button type="button" onClick={() => void runVerify()} disabled={verify.busy} data-testid="audit-verify">{verify.busy ? "Verifying…" : "Verify"}</button>
        {verify.report && (
          <span className={verify.report.ok ? "ok" : "bad"} role="status" data-testid="verify-result">
            {verify.report.broken
              ? `BROKEN at entry ${verify.report.broken.seq}: ${verify.report.broken.why}`
              : `OK: ${verify.report.count} entries, the chain holds (head ${verify.report.head_seq ?? 0})`}
          </span>
        )}
        {verify.report && !verify.report.broken && (
          <span className={verify.report.checkpoint_ok === false ? "bad" : "muted"} data-testid="verify-checkpoint">
            {verify.report.checkpoint_ok === true
              ? "the last signed checkpoint still matches"
              : verify.report.checkpoint_ok === false
                ? `CHECKPOINT FAILED: ${verify.report.checkpoint_problem ?? "it no longer matches"}`
                : verify.report.checkpoint_problem ?? "no checkpoint signed yet (an export signs one)"}
          </span>
        )}
        {verify.error && <span className="bad" role="alert">{verify.error}</span>}
        <select aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
        </select>
        <input aria-label="Show comments because" placeholder="comments withheld unless you say why" value={because} onChange={(e) => setBecause(e.target.value)} maxLength={2000} />
        {exporting ? (
          <>
            <progress aria-label="Export progress" data-testid="export-progress" />
            <span>{exporting.written} entries</span>
            <button type="button" onClick={() => void backend.cancelExport()}>Cancel</button>
          </>
        ) : (
          <button type="button" onClick={() => void runExport()} data-testid="audit-export">Export the filtered view</button>
        )}
        {exported && (
          <span role="status" data-testid="export-result">
            {exported.report.entries} entries written to {exported.path}; signed head (entry {exported.report.checkpoint.seq}) in {exported.checkpointPath}
          </span>
        )}
        {exportError && <span className="bad" role="alert">{exportError}</span>}
      </div>
      {stats.data && (
        <details className="figures" data-testid="audit-figures" onToggle={(e) => setChartsShown((e.target as HTMLDetailsElement).open)}>
          <summary>Figures {filter.from || filter.until ? `from ${filter.from ?? "the start"} until ${filter.until ?? "now"}` : "of the whole log"}: {stats.data.team.decisions} decisions</summary>
          <table className="grid">
            <thead><tr><th>Reviewer</th><th>Decisions</th><th>Approve · decline · resubmit</th><th>Open → decide (median / p90)</th><th>Undo</th><th>Conflicts</th><th>Changed later</th><th>Past the {stats.data.slaHours} h SLA</th></tr></thead>
            <tbody>
              {[stats.data.team, ...stats.data.reviewers].map((f) => (
                <tr key={f.reviewer} data-testid="figures-row">
                  <th scope="row">{f.reviewer}</th>
                  <td>{f.decisions}</td>
                  <td>{f.approved} · {f.declined} · {f.resubmitted}</td>
                  <td>{seconds(f.openToDecideMedianS)} / {seconds(f.openToDecideP90S)}</td>
                  <td>{Math.round(f.undoRate * 100)} %</td>
                  <td>{f.conflicts}</td>
                  <td>{f.changedLater}</td>
                  <td>{f.slaBreaches}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {chartsShown && (
            <Suspense fallback={<p className="muted">Drawing the charts…</p>}>
              <FiguresCharts stats={stats.data} />
            </Suspense>
          )}
        </details>
      )}
      <div className="audit-head" role="row">
        <span>#</span><span>When (UTC)</span><span>Reviewer</span><span>Action</span><span>Outcome</span><span>Session</span><span>Reason</span><span>Detail</span>
      </div>
      <div className="audit-body" ref={scroller} role="grid" aria-label="Audit entries" aria-rowcount={rows.length}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((v) => {
            const row = rows[v.index];
            if (!row) return null;
            return (
              <div key={row.seq} role="row" tabIndex={0} className="audit-row" data-testid="audit-row" data-seq={row.seq}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                onClick={() => open(row)} onKeyDown={(e) => { if (e.key === "Enter") open(row); }}>
                <span>{row.seq}</span>
                <span className="mono">{row.at.slice(0, 19).replace("T", " ")}</span>
                <span>{row.actor}</span>
                <span>{row.action}</span>
                <span>{row.toState ?? ""}</span>
                <span className="mono">{row.caseId.slice(0, 8)}</span>
                <span>{row.reasonId ?? ""}</span>
                <span title={row.outcome ?? ""}>{row.outcome ?? row.comment ?? ""}</span>
              </div>
            );
          })}
        </div>
      </div>
      <p className="muted" data-testid="audit-count">{rows.length} shown{pages.hasNextPage ? (pages.isFetchingNextPage ? ", looking further back in the log…" : ", more as you scroll") : ""}</p>
    </main>
  );
}

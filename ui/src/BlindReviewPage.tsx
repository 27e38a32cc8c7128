import { lazy, Suspense, useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { BlindItem, BlindOutcome, Verdict } from "./bindings";
import { CaseSummary } from "./CaseSummary";
import { backend } from "./ipc";
import { messageOf, useReasons } from "./queries";
import { reasonsFor } from "./reasons";

const AgreementChart = lazy(() => import("./FiguresCharts").then((m) => ({ default: m.AgreementChart })));

const BLIND = ["blind-review"];
const VERDICTS: { verdict: Verdict; label: string }[] = [
  { verdict: "Approve", label: "Approve" },
  { verdict: "Decline", label: "Decline" },
  { verdict: "Resubmit", label: "Resubmit" },
];
const percent = (rate: number) => `${Math.round(rate * 100)} %`;

/** One drawn case, blind: its summary without status or history, and the lead's own verdict. */
function BlindCase(props: { item: BlindItem; onDone: (o: BlindOutcome) => void }) {
  const { item } = props;
  const view = useQuery({ queryKey: [...BLIND, "case", item.actionId], queryFn: () => backend.blindCase(item.caseId, item.actionId), staleTime: 60_000 });
  const reasons = useReasons();
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [reasonId, setReasonId] = useState("");
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codes = useMemo(() => view.data?.summary.warnings.map((w) => w.code) ?? [], [view.data]);
  const choices = verdict ? reasonsFor(reasons.data ?? [], verdict, codes) : [];

  async function submit() {
    if (!verdict) return;
    setBusy(true);
    setError(null);
    try {
      props.onDone(await backend.answerBlindReview({ caseId: item.caseId, actionId: item.actionId, verdict, reasonId, comment: comment.trim() || null }));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  if (view.error) return <p role="alert">{messageOf(view.error)}</p>;
  if (!view.data) return <p className="muted">Opening the case…</p>;
  return (
    <section className="blind-case" data-testid="blind-case">
      <p className="notice" role="status">
        Blind re-review: the first verdict, who gave it and the case's history are hidden until you answer. Your verdict is recorded in the audit log and never sent to the provider.
      </p>
      <CaseSummary view={view.data} blind onReveal={(field, reason, index) => backend.reveal(item.caseId, field, reason, index)} />
      <form className="blind-answer" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <fieldset>
          <legend>Your verdict</legend>
          {VERDICTS.map((v) => (
            <label key={v.verdict}>
              <input type="radio" name="blind-verdict" checked={verdict === v.verdict} onChange={() => { setVerdict(v.verdict); setReasonId(""); }} data-testid={`blind-verdict-${v.verdict.toLowerCase()}`} />
              {v.label}
            </label>
          ))}
        </fieldset>
        <label>
          Reason
          <select value={reasonId} onChange={(e) => setReasonId(e.target.value)} disabled={!verdict} data-testid="blind-reason">
            <option value="">choose…</option>
            {choices.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
          </select>
        </label>
        <label>
          Comment {verdict && verdict !== "Approve" ? "(required: the disagreement is discussed from it)" : "(optional)"}
          <textarea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={10_000} rows={3} data-testid="blind-comment" />
        </label>
        <button type="submit" className="primary" disabled={busy || !verdict || !reasonId} data-testid="blind-submit">Record my verdict</button>
        {error && <p className="bad" role="alert">{error}</p>}
      </form>
    </section>
  );
}

/**
 * The lead's second look: a share of applied approvals, drawn at random, to decide again
 * without seeing the first verdict; agreement per reviewer and per warning code; disagreements
 * flagged for discussion (never overturned).
 */
export function BlindReviewPage() {
  const client = useQueryClient();
  const queue = useQuery({ queryKey: [...BLIND, "queue"], queryFn: () => backend.blindReviewQueue(null), staleTime: 0 });
  const figures = useQuery({ queryKey: [...BLIND, "figures"], queryFn: () => backend.blindReviewFigures(null, null), staleTime: 0 });
  const [open, setOpen] = useState<BlindItem | null>(null);
  const [outcome, setOutcome] = useState<BlindOutcome | null>(null);
  const [share, setShare] = useState("");
  const [shareError, setShareError] = useState<string | null>(null);

  async function saveShare() {
    setShareError(null);
    try {
      await backend.setBlindReviewShare(Number(share));
      setShare("");
      // Back to the keyboard's shortcuts.
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      await client.invalidateQueries({ queryKey: BLIND });
    } catch (e) {
      setShareError(messageOf(e));
    }
  }

  const q = queue.data;
  const f = figures.data;
  return (
    <main className="page blind" data-testid="blind-page">
      <h2>Second look {q ? `— ${q.share} % of approvals drawn for a blind re-review` : ""}</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void saveShare(); }}>
        <label>
          Share from now on (%)
          <input type="number" min={0} max={100} value={share} onChange={(e) => setShare(e.target.value)} data-testid="blind-share" />
        </label>
        <button type="submit" disabled={share === ""}>Set</button>
        {shareError && <span className="bad" role="alert">{shareError}</span>}
      </form>
      {queue.error && <p role="alert">{messageOf(queue.error)}</p>}
      {outcome && (
        <p className={outcome.agreed ? "ok" : "bad"} role="status" data-testid="blind-outcome">
          Recorded. The first verdict was {outcome.firstVerdict} by {outcome.reviewer}: {outcome.agreed ? "you agree." : "you disagree — flagged for discussion; nothing was sent."}
        </p>
      )}
      <div className="blind-layout">
        <section aria-label="Waiting for a second look">
          {q && <p className="muted" data-testid="blind-counts">Since {q.since.slice(0, 10)}: {q.drawn} drawn, {q.answered} looked at, {q.pending.length} waiting</p>}
          <ul className="blind-list">
            {(q?.pending ?? []).map((item) => (
              <li key={item.actionId}>
                <button type="button" className={open?.actionId === item.actionId ? "active" : ""} disabled={item.own}
                  onClick={() => { setOutcome(null); setOpen(item); }} data-testid="blind-item">
                  #{item.caseNumber ?? "?"} · decided {item.decidedAt.slice(0, 10)} · {item.warnings.slice(0, 3).join(", ") || "no warnings"}
                  {item.own && " · yours: another lead looks"}
                </button>
              </li>
            ))}
          </ul>
        </section>
        {open && (
          <BlindCase key={open.actionId} item={open} onDone={(o) => {
            setOutcome(o);
            setOpen(null);
            void client.invalidateQueries({ queryKey: BLIND });
          }} />
        )}
      </div>
      {f && (
        <section className="figures" data-testid="blind-figures">
          <h3>Agreement: {f.agreed} of {f.answered} second looks agreed ({f.answered ? percent(f.agreed / f.answered) : "–"}); {f.drawn} of {f.approvals} approvals drawn</h3>
          <table className="grid">
            <thead><tr><th>Reviewer or warning code</th><th>Looked at</th><th>Agreed</th><th>Rate</th></tr></thead>
            <tbody>
              {[...f.perReviewer, ...f.perWarning].map((a, i) => (
                <tr key={`${i < f.perReviewer.length ? "r" : "w"}-${a.key}`} data-testid="agreement-row">
                  <th scope="row">{a.key}</th><td>{a.answered}</td><td>{a.agreed}</td><td>{percent(a.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {f.answered > 0 && (
            <div className="charts">
              <Suspense fallback={<p className="muted">Drawing the charts…</p>}>
                <AgreementChart title="Agreement per reviewer" rows={f.perReviewer} testId="chart-agreement-reviewer" />
                <AgreementChart title="Agreement per warning code" rows={f.perWarning} testId="chart-agreement-warning" />
              </Suspense>
            </div>
          )}
          <h3>For discussion ({f.disagreements.length})</h3>
          <ul className="disagreements">
            {f.disagreements.map((d) => (
              <li key={`${d.caseId}-${d.at}`} data-testid="disagreement">
                <strong>#{d.caseNumber ?? d.caseId.slice(0, 8)}</strong>: approved by {d.reviewer}; {d.lead} would {d.verdict} ({d.reasonId ?? "no reason"}): {d.comment}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

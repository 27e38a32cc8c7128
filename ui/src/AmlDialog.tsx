import { useEffect, useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import type { AmlRequest, CaseSummary } from "./bindings";

/** Keys that pick a hit's review status, and the AML check's statuses. */
const HIT_STATUS: Record<string, string> = { f: "False Positive", c: "Confirmed Match", i: "Inconclusive", u: "Unreviewed" };
const CHECK_STATUS: Record<string, string> = { a: "Approved", d: "Declined", r: "In Review" };

/**
 * Review AML hits one by one, keyboard first: a digit picks a hit (0: the AML check as a whole),
 * a letter picks the status, the comment says why, Ctrl+Enter queues it, Esc closes.
 */
export function AmlDialog(props: {
  summary: CaseSummary;
  busy: boolean;
  error: string | null;
  onSubmit: (request: AmlRequest) => void;
  onCancel: () => void;
}) {
  const hits = props.summary.aml_hits.filter((h) => h.hit_id);
  const [target, setTarget] = useState<number | null>(hits.length > 0 ? 1 : 0);
  const [status, setStatus] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => dialogRef.current?.focus(), []);
  const statuses = target === 0 ? CHECK_STATUS : HIT_STATUS;

  function submit() {
    if (target === null || !status) return setLocalError("Pick a hit (digit) and a status (letter).");
    if (comment.trim().length < 3) {
      commentRef.current?.focus();
      return setLocalError("Say why (at least 3 characters).");
    }
    setLocalError(null);
    const hit = target === 0 ? null : hits[target - 1];
    props.onSubmit({
      case_id: props.summary.case_id,
      hit_id: hit?.hit_id ?? null,
      status,
      reason_id: `aml_${status.toLowerCase().replace(/ /g, "_")}`,
      comment: comment.trim(),
    });
  }

  useHotkeys("0,1,2,3,4,5,6,7,8,9", (e) => {
    const n = Number(e.key);
    if (n <= hits.length) {
      setTarget(n);
      setStatus(null);
    }
  }, [hits.length]);
  useHotkeys("f,c,i,u,a,d,r", (e) => {
    const picked = statuses[e.key.toLowerCase()];
    if (picked) {
      e.preventDefault();
      setStatus(picked);
      commentRef.current?.focus();
    }
  }, [statuses]);
  useHotkeys("mod+enter", (e) => { e.preventDefault(); submit(); }, { enableOnFormTags: true }, [submit]);
  useHotkeys("escape", () => props.onCancel(), { enableOnFormTags: true }, [props.onCancel]);

  return (
    <div ref={dialogRef} tabIndex={-1} className="dialog" role="dialog" aria-modal="true" aria-labelledby="aml-title" data-testid="aml-dialog">
      <h2 id="aml-title">AML review — session {props.summary.case_number ?? ""}</h2>
      <ol className="reasons" start={0} aria-label="What to review">
        <li>
          <label><input type="radio" name="aml-target" checked={target === 0} onChange={() => { setTarget(0); setStatus(null); }} /> <kbd>0</kbd> The AML check as a whole</label>
        </li>
        {hits.map((h, i) => (
          <li key={h.hit_id}>
            <label>
              <input type="radio" name="aml-target" checked={target === i + 1} onChange={() => { setTarget(i + 1); setStatus(null); }} />
              <kbd>{i + 1}</kbd> {h.matched_name} · {h.datasets.join(", ")} · match {h.match_score?.toFixed(1) ?? "–"} · now {h.review_status ?? "Unreviewed"}
            </label>
          </li>
        ))}
      </ol>
      <fieldset>
        <legend>Status</legend>
        {Object.entries(statuses).map(([key, label]) => (
          <label key={key} className="inline">
            <input type="radio" name="aml-status" checked={status === label} onChange={() => setStatus(label)} /> <kbd>{key.toUpperCase()}</kbd> {label}
          </label>
        ))}
      </fieldset>
      <label className="block">
        Why (required)
        <textarea ref={commentRef} data-testid="aml-comment" value={comment} maxLength={9000} rows={2} onChange={(e) => setComment(e.target.value)} />
      </label>
      {(localError ?? props.error) && <p role="alert" data-testid="aml-error">{localError ?? props.error}</p>}
      <footer>
        <button type="button" onClick={props.onCancel}>Cancel <kbd>Esc</kbd></button>
        <button type="button" className="primary" disabled={props.busy} onClick={submit}>Queue <kbd>Ctrl</kbd>+<kbd>Enter</kbd></button>
      </footer>
    </div>
  );
}

import { useEffect, useMemo, useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import type { Capabilities, CaseSummary, DecisionRequest, Provider, Reason, Verdict } from "./bindings";
import { providerName } from "./provider";
import { reasonsFor } from "./reasons";

const TITLE: Record<Verdict, string> = { Approve: "Approve", Decline: "Decline", Resubmit: "Ask to redo steps" };
const RESTART = "Restart the verification";
const NEEDS_COMMENT: Record<Verdict, boolean> = { Approve: false, Decline: true, Resubmit: true };
const EMAIL_LANGUAGES = ["en", "fr", "ar", "it", "de", "es"];

/**
 * Approve / decline / resubmit with a reason (digits 1-9), a comment, optional email to the
 * person and, for a resubmission, the steps to redo. Ctrl+Enter submits, Esc cancels.
 */
export function DecisionDialog(props: {
  verdict: Verdict;
  summary: CaseSummary;
  provider: Provider;
  capabilities: Capabilities;
  reasons: Reason[];
  busy: boolean;
  error: string | null;
  onSubmit: (request: DecisionRequest) => void;
  onCancel: () => void;
}) {
  const { verdict, summary, capabilities } = props;
  // A provider that cannot redo single steps starts a new verification instead.
  const restarts = verdict === "Resubmit" && !capabilities.redoSteps;
  const title = restarts ? RESTART : TITLE[verdict];
  const canNotify = capabilities.notifyEmail;
  const reasons = useMemo(() => reasonsFor(props.reasons, verdict, summary.warnings.map((w) => w.code)), [props.reasons, verdict, summary]);
  const [reasonIndex, setReasonIndex] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [notify, setNotify] = useState(false);
  const [language, setLanguage] = useState("fr");
  // The address on file is masked here; leaving the field empty asks the backend to use it.
  const onFile = summary.contacts.find((c) => c.kind === "EMAIL")?.value ?? null;
  const [address, setAddress] = useState("");
  const defaultSteps = summary.steps.filter((s) => ["Declined", "In Review", "Not Finished", "Expired"].includes(s.status));
  const [steps, setSteps] = useState<Set<string>>(new Set(defaultSteps.map((s) => s.step)));
  const [localError, setLocalError] = useState<string | null>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);

  // Focus the dialog itself so digits pick a reason; picking one moves on to the comment.
  useEffect(() => dialogRef.current?.focus(), []);

  const reason = reasonIndex === null ? null : reasons[reasonIndex];
  const fullComment = [reason?.label, comment.trim()].filter(Boolean).join(" — ");

  function submit() {
    if (!reason) return setLocalError("Pick a reason (1-9).");
    if (NEEDS_COMMENT[verdict] && comment.trim() === "") {
      commentRef.current?.focus();
      return setLocalError("A comment is required for this decision.");
    }
    if (verdict === "Resubmit" && !restarts && steps.size === 0) return setLocalError("Choose at least one step to redo.");
    setLocalError(null);
    props.onSubmit({
      case_id: summary.case_id,
      verdict,
      comment: fullComment,
      notify: notify && canNotify ? { address: address.trim(), language } : null,
      redo: verdict === "Resubmit" && !restarts ? summary.steps.filter((s) => steps.has(s.step)).map((s) => ({ step: s.step, kind: s.kind })) : [],
      reason_id: reason.id,
    });
  }

  useHotkeys("1,2,3,4,5,6,7,8,9", (e) => {
    // The digit picks a reason; it must not also be typed into the comment that gets focus.
    e.preventDefault();
    const i = Number(e.key) - 1;
    if (i < reasons.length) {
      setReasonIndex(i);
      commentRef.current?.focus();
    }
  }, [reasons]);
  useHotkeys("mod+enter", (e) => { e.preventDefault(); submit(); }, { enableOnFormTags: true, enableOnContentEditable: true }, [submit]);
  useHotkeys("escape", () => props.onCancel(), { enableOnFormTags: true }, [props.onCancel]);

  return (
    <div ref={dialogRef} tabIndex={-1} className="dialog" role="dialog" aria-modal="true" aria-labelledby="decision-title" data-testid="decision-dialog" data-verdict={verdict}>
      <h2 id="decision-title">{title} {summary.case_number === null ? `(${providerName(props.provider)})` : `session ${summary.case_number}`}</h2>
      <ol className="reasons" aria-label="Reason">
        {reasons.map((r, i) => (
          <li key={r.id}>
            <label>
              <input type="radio" name="reason" checked={reasonIndex === i} onChange={() => setReasonIndex(i)} />
              <kbd>{i + 1}</kbd> {r.label}
            </label>
          </li>
        ))}
      </ol>
      <label className="block">
        Comment{NEEDS_COMMENT[verdict] ? " (required)" : ""}
        <textarea ref={commentRef} data-testid="decision-comment" value={comment} maxLength={9000} rows={3} onChange={(e) => setComment(e.target.value)} />
      </label>
      {restarts && (
        <p className="notice" data-testid="restart-note">
          {providerName(props.provider)} cannot redo single steps: this ends the verification and starts a new one, and the person goes through every step again.
        </p>
      )}
      {verdict === "Resubmit" && !restarts && (
        <fieldset>
          <legend>Steps to redo</legend>
          {summary.steps.map((s) => (
            <label key={s.step} className="inline">
              <input type="checkbox" checked={steps.has(s.step)} onChange={(e) => {
                const next = new Set(steps);
                if (e.target.checked) next.add(s.step); else next.delete(s.step);
                setSteps(next);
              }} />
              {s.kind} <span className="muted">({s.status})</span>
            </label>
          ))}
        </fieldset>
      )}
      {canNotify && <fieldset>
        <label className="inline"><input type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} /> Email the person</label>
        {notify && (
          <>
            <input aria-label="Email address" value={address} placeholder={onFile ? `on file: ${onFile}` : "email address"} onChange={(e) => setAddress(e.target.value)} />
            <select aria-label="Email language" value={language} onChange={(e) => setLanguage(e.target.value)}>
              {EMAIL_LANGUAGES.map((l) => <option key={l}>{l}</option>)}
            </select>
          </>
        )}
      </fieldset>}
      {(localError ?? props.error) && <p role="alert" data-testid="decision-error">{localError ?? props.error}</p>}
      <footer>
        <button type="button" onClick={props.onCancel}>Cancel <kbd>Esc</kbd></button>
        <button type="button" className="primary" disabled={props.busy} onClick={submit} data-testid="decision-submit">
          {title} <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </button>
      </footer>
    </div>
  );
}

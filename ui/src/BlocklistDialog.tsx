import { useEffect, useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import type { BlocklistImpact, BlocklistRequest, CaseSummary, UiError } from "./bindings";
import { backend } from "./ipc";

type Item = "face" | "document" | "phone" | "email";
const KEYS: Record<string, Item> = { f: "face", d: "document", p: "phone", e: "email" };
const REASONS = [
  { id: "fraud", label: "Fraud attempt" },
  { id: "identity_theft", label: "Identity theft" },
  { id: "duplicate_account", label: "Duplicate account" },
  { id: "other", label: "Other (explain in the comment)" },
];

/**
 * Blocklist a case's face, document, phone or email, keyboard first: F / D / P / E toggle the
 * items, the preview says what else they reach, a digit picks the reason, the comment says why,
 * Ctrl+Enter queues it through the outbox.
 */
export function BlocklistDialog(props: { summary: CaseSummary; onDone: (message: string) => void; onCancel: () => void }) {
  const [impact, setImpact] = useState<BlocklistImpact | null>(null);
  const [items, setItems] = useState<Set<Item>>(new Set());
  const [reason, setReason] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => dialogRef.current?.focus(), []);
  useEffect(() => {
    backend.blocklistImpact(props.summary.case_id).then(setImpact, (e: UiError) => setError(e.message));
  }, [props.summary.case_id]);

  const available = (item: Item) =>
    !!impact && { face: impact.hasFace, document: impact.hasDocument, phone: impact.hasPhone, email: impact.hasEmail }[item];
  const reach: Record<Item, string> = {
    face: impact ? `${impact.faceMatches} face match${impact.faceMatches === 1 ? "" : "es"} in the decision` : "",
    document: impact ? `${impact.documentSessions} other case${impact.documentSessions === 1 ? "" : "s"} with this document` : "",
    phone: impact ? `${impact.phoneSessions} other case${impact.phoneSessions === 1 ? "" : "s"} with this phone` : "",
    email: impact ? `${impact.emailSessions} other case${impact.emailSessions === 1 ? "" : "s"} with this email` : "",
  };

  function toggle(item: Item) {
    if (!available(item)) return;
    const next = new Set(items);
    if (next.has(item)) next.delete(item); else next.add(item);
    setItems(next);
  }

  async function submit() {
    if (items.size === 0) return setError("Choose what to blocklist (F, D, P, E).");
    if (!reason) return setError("Pick a reason (1-4).");
    if (comment.trim().length < 3) {
      commentRef.current?.focus();
      return setError("Say why (at least 3 characters).");
    }
    const request: BlocklistRequest = {
      case_id: props.summary.case_id,
      add: true,
      face: items.has("face"),
      document: items.has("document"),
      phone: items.has("phone"),
      email: items.has("email"),
      reason_id: reason,
      comment: comment.trim(),
    };
    try {
      await backend.blocklist(request);
      props.onDone(`Blocklist: ${[...items].join(", ")} of session ${props.summary.case_number ?? ""} queued.`);
    } catch (e) {
      setError((e as UiError).message);
    }
  }

  useHotkeys("f,d,p,e", (e) => { e.preventDefault(); const item = KEYS[e.key.toLowerCase()]; if (item) toggle(item); }, [items, impact]);
  useHotkeys("1,2,3,4", (e) => {
    e.preventDefault();
    const r = REASONS[Number(e.key) - 1];
    if (r) { setReason(r.id); commentRef.current?.focus(); }
  }, []);
  useHotkeys("mod+enter", (e) => { e.preventDefault(); void submit(); }, { enableOnFormTags: true }, [submit]);
  useHotkeys("escape", () => props.onCancel(), { enableOnFormTags: true }, [props.onCancel]);

  return (
    <div ref={dialogRef} tabIndex={-1} className="dialog" role="dialog" aria-modal="true" aria-labelledby="blocklist-title" data-testid="blocklist-dialog">
      <h2 id="blocklist-title">Blocklist — session {props.summary.case_number ?? ""}</h2>
      {impact && impact.alreadyBlocklisted.length > 0 && <p className="notice">Already flagged: {impact.alreadyBlocklisted.join(", ")}</p>}
      <fieldset data-testid="blocklist-preview">
        <legend>What to blocklist, and what else it reaches ({impact ? `${impact.cachedCases} cached cases checked` : "counting…"})</legend>
        {(Object.entries(KEYS) as [string, Item][]).map(([key, item]) => (
          <label key={item} className="block" data-item={item}>
            <input type="checkbox" checked={items.has(item)} disabled={!available(item)} onChange={() => toggle(item)} />
            <kbd>{key.toUpperCase()}</kbd> {item} {available(item) ? `— ${reach[item]}` : "— not in this case"}
          </label>
        ))}
      </fieldset>
      <ol className="reasons" aria-label="Reason">
        {REASONS.map((r, i) => (
          <li key={r.id}><label><input type="radio" name="blocklist-reason" checked={reason === r.id} onChange={() => setReason(r.id)} /> <kbd>{i + 1}</kbd> {r.label}</label></li>
        ))}
      </ol>
      <label className="block">
        Why (required)
        <textarea ref={commentRef} data-testid="blocklist-comment" value={comment} maxLength={9000} rows={2} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && <p role="alert" data-testid="blocklist-error">{error}</p>}
      <footer>
        <button type="button" onClick={props.onCancel}>Cancel <kbd>Esc</kbd></button>
        <button type="button" className="primary" onClick={() => void submit()}>Queue <kbd>Ctrl</kbd>+<kbd>Enter</kbd></button>
      </footer>
    </div>
  );
}

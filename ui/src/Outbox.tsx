import { useCallback, useEffect, useState } from "react";
import type { ActionView, UiError } from "./bindings";
import { backend, onOutboxChanged } from "./ipc";

const STATE_LABEL: Record<ActionView["state"], string> = {
  queued: "queued",
  sending: "sending",
  applied: "applied",
  rejected: "rejected",
  conflict: "conflict",
  cancelled: "cancelled",
  needs_attention: "needs attention",
};

/** Every action the desk took and where it stands; retry and cancel what needs a person. */
export function Outbox(props: { onClose: () => void }) {
  const [actions, setActions] = useState<ActionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    backend.outbox().then(setActions, (e: UiError) => setError(e.message));
  }, []);
  useEffect(() => {
    refresh();
    const unlisten = onOutboxChanged(refresh);
    return () => void unlisten.then((f) => f()).catch(() => undefined);
  }, [refresh]);

  async function act(run: () => Promise<ActionView>) {
    try {
      await run();
      setError(null);
    } catch (e) {
      setError((e as UiError).message);
    }
    refresh();
  }

  return (
    <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="outbox-title" data-testid="outbox">
      <h2 id="outbox-title">Outbox</h2>
      {error && <p role="alert">{error}</p>}
      {actions === null ? <p>Loading…</p> : actions.length === 0 ? <p className="muted">Nothing sent yet.</p> : (
        <table className="outbox">
          <thead><tr><th>Action</th><th>Case</th><th>State</th><th>Tries</th><th>Detail</th><th /></tr></thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id} data-testid="outbox-row" data-state={a.state} data-kind={a.kind}>
                <td>{a.kind.replace("_", " ")}{a.reasonId ? ` · ${a.reasonId}` : ""}</td>
                <td title={a.caseId}>{a.caseId.slice(0, 8)}</td>
                <td className={`state ${a.state}`}>{STATE_LABEL[a.state]}</td>
                <td>{a.attempts}</td>
                <td>{a.detail ?? ""}</td>
                <td>
                  {a.canUndo && <button type="button" onClick={() => void act(() => backend.undoAction(a.id))}>Undo</button>}
                  {a.canRetry && <button type="button" onClick={() => void act(() => backend.retryAction(a.id))}>Retry</button>}
                  {a.canCancel && !a.canUndo && <button type="button" onClick={() => void act(() => backend.cancelAction(a.id))}>Cancel</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <footer><button type="button" onClick={props.onClose}>Close <kbd>Esc</kbd></button></footer>
    </div>
  );
}

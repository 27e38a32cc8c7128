import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ActionView, UiError } from "./bindings";
import { backend } from "./ipc";
import { keys, messageOf, useOutbox } from "./queries";

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
export function OutboxPage() {
  const client = useQueryClient();
  const outbox = useOutbox();
  const act = useMutation<ActionView, UiError, () => Promise<ActionView>>({
    mutationFn: (run) => run(),
    onSettled: () => client.invalidateQueries({ queryKey: keys.outbox }),
  });
  const actions = outbox.data;
  const error = messageOf(act.error) ?? messageOf(outbox.error);

  return (
    <section className="page" aria-labelledby="outbox-title" data-testid="outbox">
      <h2 id="outbox-title">Outbox</h2>
      {error && <p role="alert">{error}</p>}
      {!actions ? <p>Loading…</p> : actions.length === 0 ? <p className="muted">Nothing sent yet.</p> : (
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
                  {a.canUndo && <button type="button" onClick={() => act.mutate(() => backend.undoAction(a.id))}>Undo</button>}
                  {a.canRetry && <button type="button" onClick={() => act.mutate(() => backend.retryAction(a.id))}>Retry</button>}
                  {a.canCancel && !a.canUndo && <button type="button" onClick={() => act.mutate(() => backend.cancelAction(a.id))}>Cancel</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted"><kbd>Q</kbd> back to the queue</p>
    </section>
  );
}

import type { Role, SecondLook } from "./bindings";
import { backend } from "./ipc";
import { messageOf, useTeam } from "./queries";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { keys } from "./queries";

const RULES: Record<string, string> = {
  decline: "a decline",
  approve_with_aml_hit: "an approval despite AML hits",
  blocklist_add: "a blocklist entry",
};

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** The team panel: who is online, on which case, decisions today; every claim, and (for a
 * lead) releasing a claim a vanished desk left behind. */
export function TeamPage(props: { role: Role }) {
  const team = useTeam();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [refusing, setRefusing] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const view = team.data;
  if (team.error) return <main className="page"><p role="alert">{messageOf(team.error)}</p></main>;
  if (!view) return <main className="page"><p className="muted">Loading the team…</p></main>;
  if (!view.enabled) {
    return (
      <main className="page" data-testid="team-page">
        <h2>Team</h2>
        <p className="muted">This desk works alone: its profile names no team store. A team shares one PostgreSQL store for claims, presence and one audit log (see the README).</p>
      </main>
    );
  }
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      await client.invalidateQueries({ queryKey: keys.team });
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const release = (caseId: string) => act(() => backend.releaseClaim(caseId));
  const answer = (look: SecondLook, confirmed: boolean) =>
    act(async () => {
      await backend.answerSecondLook(look.actionId, confirmed, note.trim() || null);
      setRefusing(null);
      setNote("");
    });
  return (
    <main className="page" data-testid="team-page">
      <h2>Team</h2>
      {view.offlineSince && <p className="offline" role="alert">Team store offline since {time(view.offlineSince)}: this desk keeps working and catches up when it answers.</p>}
      {error && <p role="alert">{error}</p>}
      <table className="grid presence" aria-label="Desks">
        <thead><tr><th>Reviewer</th><th>Status</th><th>Open case</th><th>Decisions today</th><th>Last seen</th></tr></thead>
        <tbody>
          {view.desks.map((d) => (
            <tr key={d.reviewer} data-testid="presence-row">
              <th scope="row">{d.reviewer}{d.reviewer === view.me ? " (you)" : ""}</th>
              <td className={d.online ? "online" : "away"}>{d.online ? "online" : "away"}</td>
              <td className="mono">{d.caseId ?? "–"}</td>
              <td data-testid="decisions-today">{d.decisionsToday}</td>
              <td>{time(d.seenAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Second look</h3>
      <p className="muted" data-testid="four-eyes-policy">
        {view.fourEyes.length === 0 ? "Four-eyes is off for this team." : `A second reviewer confirms ${view.fourEyes.map((r) => RULES[r]).join(", ")} before it is sent.`}
      </p>
      {view.secondLooks.length > 0 && (
        <table className="grid" aria-label="Waiting for a second reviewer">
          <thead><tr><th>Session</th><th>Action</th><th>Asked by</th><th>Reason, comment</th><th /></tr></thead>
          <tbody>
            {view.secondLooks.map((l) => (
              <tr key={l.actionId} data-testid="second-look-row" data-action-id={l.actionId}>
                <td className="mono">{l.caseId}</td>
                <td>{l.kind}</td>
                <td>{l.requestedBy}</td>
                <td>{l.reasonId ?? "–"}{l.comment ? ` · ${l.comment}` : ""}</td>
                <td>
                  {l.requestedBy === view.me ? <span className="muted">yours: another reviewer confirms it</span> : refusing === l.actionId ? (
                    <form onSubmit={(e) => { e.preventDefault(); void answer(l, false); }}>
                      <input aria-label="Why it is refused" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
                      <button type="submit">Refuse</button>
                      <button type="button" onClick={() => setRefusing(null)}>Cancel</button>
                    </form>
                  ) : (
                    <>
                      <button type="button" data-testid="confirm-look" onClick={() => void answer(l, true)}>Confirm</button>
                      <button type="button" onClick={() => { setRefusing(l.actionId); setNote(""); }}>Refuse…</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Claims</h3>
      {view.claims.length === 0 ? <p className="muted">No case is claimed.</p> : (
        <table className="grid" aria-label="Claims">
          <thead><tr><th>Case</th><th>Held by</th><th>Since</th><th>Until</th>{props.role === "team_lead" && <th />}</tr></thead>
          <tbody>
            {view.claims.map((c) => (
              <tr key={c.caseId} data-testid="claim-row">
                <td className="mono">{c.caseId}</td>
                <td>{c.holder}</td>
                <td>{time(c.claimedAt)}</td>
                <td>{time(c.expiresAt)}</td>
                {props.role === "team_lead" && (
                  <td>{c.holder !== view.me && <button type="button" onClick={() => void release(c.caseId)}>Release (audited)</button>}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

import type { Role } from "./bindings";
import { backend } from "./ipc";
import { messageOf, useTeam } from "./queries";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { keys } from "./queries";

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** The team panel: who is online, on which case, decisions today; every claim, and (for a
 * lead) releasing a claim a vanished desk left behind. */
export function TeamPage(props: { role: Role }) {
  const team = useTeam();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
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
  const release = async (caseId: string) => {
    setError(null);
    try {
      await backend.releaseClaim(caseId);
      await client.invalidateQueries({ queryKey: keys.team });
    } catch (e) {
      setError(messageOf(e));
    }
  };
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

import { memo, useEffect, useState } from "react";
import type { ConnectionView, Profile, ProfileView, Role, UiError } from "./bindings";
import { backend } from "./ipc";

const EMPTY: Profile = {
  name: "",
  kind: "Live",
  diditUrl: "https://verification.didit.me",
  dhmadUrl: "https://dhmad.tn/api/v1",
  reviewerName: "",
  reviewerEmail: "",
  undoSeconds: 8,
  slaHours: 24,
  role: "reviewer",
};

const ROLES: { id: Role; label: string }[] = [
  { id: "reviewer", label: "Reviewer" },
  { id: "team_lead", label: "Team lead" },
  { id: "support", label: "Support" },
];

/**
 * Profiles and their keys. Keys go from these password fields straight into the OS credential
 * store; the screen can replace, test or delete a key, never show one.
 */
export const Profiles = memo(function Profiles(props: { onClose: () => void; onSwitched: () => void }) {
  const [list, setList] = useState<ProfileView[]>([]);
  const [form, setForm] = useState<Profile>(EMPTY);
  const [diditKey, setDiditKey] = useState("");
  const [dhmadKey, setDhmadKey] = useState("");
  const [verifyhqKey, setVerifyhqKey] = useState("");
  const [teamPassword, setTeamPassword] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, ConnectionView>>({});

  useEffect(() => {
    backend.profiles().then(setList, (e: UiError) => setError(e.message));
  }, []);

  async function run(action: () => Promise<void>) {
    setError(null);
    setMessage(null);
    try {
      await action();
    } catch (e) {
      setError((e as UiError).message);
    }
  }

  const save = () =>
    run(async () => {
      const diditUrl = form.diditUrl?.trim() || undefined;
      const verifyhqUrl = form.verifyhqUrl?.trim() || undefined;
      const profile = { ...form, teamStore: form.teamStore?.trim() || null, diditUrl, verifyhqUrl };
      setList(await backend.saveProfile({ profile, diditKey: diditKey || null, dhmadKey: dhmadKey || null, verifyhqKey: verifyhqKey || null, teamPassword: teamPassword || null }));
      setDiditKey("");
      setDhmadKey("");
      setVerifyhqKey("");
      setTeamPassword("");
      setMessage(`Profile ${form.name} saved; its keys are in the OS credential store.`);
    });

  const field = (label: string, key: keyof Profile, type = "text") => (
    <label className="block">
      {label}
      <input type={type} value={(form[key] as string | undefined) ?? ""} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );

  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="profiles-title" data-testid="profiles">
      <h2 id="profiles-title">Profiles</h2>
      <p className="muted" data-testid="role-note">
        A role shapes what this desk shows (Support: the lookup, no decisions or blocklist; Team lead: the audit views).
        It is a convenience, not a security boundary: the API key decides what is possible.
      </p>
      <table className="grid">
        <tbody>
          {list.map((p) => (
            <tr key={p.profile.name} data-testid="profile-row">
              <th scope="row">{p.profile.name}{p.active && " (active)"}</th>
              <td>{p.profile.kind === "Sandbox" ? "built-in simulator" : `${p.profile.diditUrl ? `Didit key ${p.hasDiditKey ? "saved" : "missing"} · ` : ""}DHMAD key ${p.hasDhmadKey ? "saved" : "missing"}${p.profile.verifyhqUrl ? ` · VerifyHQ key ${p.hasVerifyhqKey ? "saved" : "missing"}` : ""}${p.profile.teamStore ? ` · team store${p.hasTeamPassword ? "" : " (no password saved)"}` : ""}`}</td>
              <td>
                <select aria-label={`Role of ${p.profile.name}`} data-testid="role-select" value={p.profile.role}
                  onChange={(e) => run(async () => { setList(await backend.setRole(p.profile.name, e.target.value as Role)); if (p.active) props.onSwitched(); })}>
                  {ROLES.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
                </select>
              </td>
              <td>
                <button type="button" onClick={() => run(async () => setTests({ ...tests, [p.profile.name]: await backend.testConnection(p.profile.name) }))}>Test connection</button>
                {p.profile.kind === "Live" && (
                  <>
                    <button type="button" onClick={() => setForm(p.profile)}>Edit</button>
                    <button type="button" onClick={() => run(async () => setList(await backend.deleteKeys(p.profile.name)))}>Delete keys</button>
                  </>
                )}
                {!p.active && <button type="button" onClick={() => run(async () => { await backend.switchProfile(p.profile.name); props.onSwitched(); })}>Switch</button>}
                {tests[p.profile.name] && (
                  <div data-testid="connection-report">
                    {tests[p.profile.name]?.checks.map((c) => <div key={c.api} className={c.ok ? "ok" : "bad"}>{c.text}</div>)}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Add or edit a Live profile</h3>
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {field("Name", "name")}
        {field("Didit URL (leave empty when this profile reviews VerifyHQ only)", "diditUrl")}
        {field("DHMAD API URL", "dhmadUrl")}
        {field("Reviewer name", "reviewerName")}
        {field("Reviewer email", "reviewerEmail", "email")}
        <label className="block">Undo window: seconds a decision waits before it is sent (0 sends at once)
          <input type="number" min={0} max={60} value={form.undoSeconds} onChange={(e) => setForm({ ...form, undoSeconds: Math.max(0, Math.min(60, Number(e.target.value) || 0)) })} />
        </label>
        <label className="block">Review SLA: hours a case may wait before it is late (1-720)
          <input type="number" min={1} max={720} value={form.slaHours} onChange={(e) => setForm({ ...form, slaHours: Math.max(1, Math.min(720, Number(e.target.value) || 24)) })} />
        </label>
        <p className="muted">The DHMAD key is optional: without one the profile reviews cases, and support lookups are off.</p>
        <label className="block">Didit API key (needed with its URL; leave empty to keep the saved one)
          <input type="password" autoComplete="off" value={diditKey} onChange={(e) => setDiditKey(e.target.value)} />
        </label>
        <label className="block">DHMAD API key, sk_live_… or sk_sandbox_… (leave empty to keep the saved one)
          <input type="password" autoComplete="off" value={dhmadKey} onChange={(e) => setDhmadKey(e.target.value)} />
        </label>
        <label className="block">VerifyHQ URL (optional): its cases join this profile&apos;s queue, for the users on the Watch list (W)
          <input value={form.verifyhqUrl ?? ""} placeholder="https://api.verifyhq.example/v1" onChange={(e) => setForm({ ...form, verifyhqUrl: e.target.value })} />
        </label>
        <label className="block">VerifyHQ API key (needed with its URL; leave empty to keep the saved one)
          <input type="password" autoComplete="off" value={verifyhqKey} onChange={(e) => setVerifyhqKey(e.target.value)} />
        </label>
        <label className="block">Team store (optional): postgres://user@host:port/database, shared by the team for claims, presence and one audit log
          <input value={form.teamStore ?? ""} placeholder="postgres://reviewer@db.example:5432/review_desk" onChange={(e) => setForm({ ...form, teamStore: e.target.value })} />
        </label>
        <label className="block">Team store password (kept in the OS credential store; leave empty to keep the saved one)
          <input type="password" autoComplete="off" value={teamPassword} onChange={(e) => setTeamPassword(e.target.value)} />
        </label>
        {message && <p role="status">{message}</p>}
        {error && <p role="alert">{error}</p>}
        <footer>
          <button type="button" onClick={props.onClose}>Close <kbd>Esc</kbd></button>
          <button type="submit" className="primary">Save profile</button>
        </footer>
      </form>
    </div>
  );
});

import { useCallback, useEffect, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import { useIsMutating, useQueryClient } from "@tanstack/react-query";
import { Link, Route, Switch, useLocation } from "wouter";
import { messageOf, useAppInfo, useBackendEvents, useOutboxStatus, useQueue, useSyncStatus, useTeam } from "./queries";
import { useCommands, type Command } from "./commands";
import { ReviewPage, SYNC } from "./ReviewPage";
import { OutboxPage } from "./Outbox";
import { BlocklistPage } from "./BlocklistPage";
import { Help } from "./Help";
import { providerName } from "./provider";
import { Palette } from "./Palette";
import { Profiles } from "./Profiles";
import { LookupPage } from "./LookupPage";
import { WatchPage } from "./WatchPage";
import { TeamPage } from "./TeamPage";
import { AuditPage } from "./AuditPage";
import { BlindReviewPage } from "./BlindReviewPage";
import type { Role } from "./bindings";

function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  return minutes < 1 ? "just now" : minutes < 60 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}

type View = { path: string; label: string; keys: string; roles: Role[] };
const VIEWS: View[] = [
  { path: "/", label: "Queue", keys: "Q", roles: ["reviewer", "team_lead"] },
  { path: "/outbox", label: "Outbox", keys: "O", roles: ["reviewer", "team_lead", "support"] },
  { path: "/blocklist", label: "Blocklist", keys: "Shift+B", roles: ["reviewer", "team_lead"] },
  { path: "/lookup", label: "Lookup", keys: "L", roles: ["reviewer", "team_lead", "support"] },
  { path: "/team", label: "Team", keys: "T", roles: ["reviewer", "team_lead", "support"] },
  { path: "/watch", label: "Watch list", keys: "W", roles: ["reviewer", "team_lead"] },
  { path: "/audit", label: "Audit", keys: "Shift+A", roles: ["team_lead"] },
  { path: "/second-look", label: "Second look", keys: "Shift+R", roles: ["team_lead"] },
];

/** The desk's frame: views by route, the status bar, and what every view can reach. */
export function App() {
  useBackendEvents();
  const client = useQueryClient();
  const [location, navigate] = useLocation();
  const info = useAppInfo();
  const queue = useQueue();
  const syncStatus = useSyncStatus();
  const outboxStatus = useOutboxStatus();
  const team = useTeam();
  const syncing = useIsMutating({ mutationKey: SYNC }) > 0;
  const [help, setHelp] = useState(false);
  const [palette, setPalette] = useState(false);
  const [profilesOpen, setProfilesOpen] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const idle = !help && !palette && !profilesOpen;
  const inReview = location === "/" || location.startsWith("/case/");
  const role: Role = info.data?.role ?? "reviewer";
  const views = VIEWS.filter((v) => v.roles.includes(role));
  const allowed = (path: string) => views.some((v) => v.path === path);
  const home = role === "support" ? "/lookup" : "/";
  // A role's home: Support starts at the lookup.
  useEffect(() => {
    if (location === "/" && !allowed("/")) navigate(home, { replace: true });
  });
  const commands: Command[] = [
    ...views.map((v): Command => ({ id: `view-${v.label.toLowerCase().replace(/ /g, "-")}`, label: `Go to ${v.label}`, group: "Views", keys: v.keys, run: () => navigate(v.path) })),
    { id: "profiles", label: "Profiles and API keys", group: "Desk", keys: "P", run: () => setProfilesOpen(true) },
    { id: "help", label: "Keyboard shortcuts", group: "Desk", keys: "?", run: () => setHelp(true) },
  ];
  useCommands("app", commands);

  // "?" depends on the keyboard layout, so it is matched on the character typed.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]");
      if (e.key === "?" && !typing) setHelp(true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  useHotkeys("mod+k", (e) => { e.preventDefault(); setPalette(true); }, { enableOnFormTags: true, enabled: !palette }, [palette]);
  // A view's own dialog (decision, blocklist, AML…) owns the keyboard while it is open.
  const free = (run: () => void) => () => { if (!document.querySelector('[aria-modal="true"]')) run(); };
  useHotkeys("p", free(() => setProfilesOpen(true)), { enabled: idle }, [idle]);
  const go = (path: string) => free(() => allowed(path) && navigate(path));
  useHotkeys("o", go("/outbox"), { enabled: idle }, [idle, role]);
  useHotkeys("shift+b", go("/blocklist"), { enabled: idle }, [idle, role]);
  useHotkeys("l", go("/lookup"), { enabled: idle && location !== "/lookup" }, [idle, role, location]);
  useHotkeys("t", go("/team"), { enabled: idle }, [idle, role]);
  useHotkeys("w", go("/watch"), { enabled: idle }, [idle, role]);
  useHotkeys("shift+a", go("/audit"), { enabled: idle }, [idle, role]);
  useHotkeys("shift+r", go("/second-look"), { enabled: idle }, [idle, role]);
  useHotkeys("q", free(() => navigate(home)), { enabled: idle && !inReview }, [idle, inReview, home]);
  useHotkeys("escape", () => { setHelp(false); setProfilesOpen(false); }, { enableOnFormTags: true }, []);

  // Stable, so the open Profiles form is not re-rendered by the status bar's ticks.
  const closeProfiles = useCallback(() => setProfilesOpen(false), []);
  const openProfiles = useCallback(() => setProfilesOpen(true), []);
  const switched = useCallback(() => {
    setProfilesOpen(false);
    navigate("/");
    void client.invalidateQueries();
  }, [navigate, client]);

  const failure = messageOf(info.error) ?? syncStatus.data?.lastError ?? null;
  const status = syncStatus.data;
  const syncLabel = syncing || status?.running
    ? `Syncing… ${status?.fetched ?? 0}${status?.total != null ? ` / ${status.total}` : ""}`
    : failure
      ? `Sync failed: ${failure}`
      : "Synced";
  const outbox = outboxStatus.data;
  const budgets = queue.data?.rateBudgets ?? [];

  return (
    <div className="app">
      {info.data?.simulated && (
        <div className="banner" role="status" data-testid="simulated-banner">
          SIMULATED — Sandbox profile: decisions go to the built-in simulator, not to Didit.
        </div>
      )}
      <header className="top">
        <h1>Review Desk</h1>
        <nav className="views" aria-label="Views">
          {views.map((v) => (
            <Link key={v.path} href={v.path} className={(v.path === "/" ? inReview : location === v.path) ? "active" : ""} data-testid={`nav-${v.label.toLowerCase().replace(/ /g, "-")}`}>
              {v.label} <kbd>{v.keys}</kbd>
            </Link>
          ))}
        </nav>
        <button type="button" onClick={() => setPalette(true)} aria-label="Command palette">Commands <kbd>Ctrl</kbd>+<kbd>K</kbd></button>
        <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </header>
      {info.data?.notice && <p className="notice" role="alert" data-testid="startup-notice">{info.data.notice}</p>}
      <Switch>
        <Route path="/outbox"><OutboxPage /></Route>
        <Route path="/blocklist"><BlocklistPage idle={idle} /></Route>
        <Route path="/lookup"><LookupPage canLookUp={info.data?.canLookUp ?? false} /></Route>
        <Route path="/team"><TeamPage role={role} /></Route>
        <Route path="/watch"><WatchPage /></Route>
        <Route path="/audit"><AuditPage /></Route>
        <Route path="/second-look"><BlindReviewPage /></Route>
        <Route><ReviewPage idle={idle} now={now} canAct={role !== "support"} firstRun={info.data?.firstRun ?? false} onAddProfile={openProfiles} /></Route>
      </Switch>
      <footer className="statusbar" data-testid="statusbar">
        <span data-testid="sync-state">{syncLabel}</span>
        {!syncing && !status?.running && (status?.unread.length ?? 0) > 0 && (
          <span className="offline" role="status" data-testid="sync-unread">{status?.unread.join("; ")}</span>
        )}
        <span data-testid="last-sync">Last sync: {ago(queue.data?.syncedAt ?? null, now)}</span>
        {failure && <span className="offline" data-testid="offline">Showing the cached queue from {ago(queue.data?.syncedAt ?? null, now)}</span>}
        <span>SLA {queue.data?.slaHours ?? 24} h</span>
        <Link href="/outbox" className="link statuslink" data-testid="outbox-status">
          {outbox?.offlineSince ? `Offline since ${new Date(outbox.offlineSince).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })} · ` : ""}
          {outbox ? `${outbox.pending} pending` : "Outbox"}
          {outbox && outbox.needsAttention > 0 ? ` · ${outbox.needsAttention} need attention` : ""}
        </Link>
        {outbox?.notSending && <span className="offline" data-testid="not-sending">{outbox.notSending}</span>}
        {team.data?.offlineSince && (
          <Link href="/team" className="link statuslink offline" data-testid="team-offline">
            Team store offline since {new Date(team.data.offlineSince).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })}
          </Link>
        )}
        {budgets.length > 0 && (
          <span data-testid="rate-budget" title="Requests left in each provider's current 60-second windows">
            Budget: {budgets.map((b) => {
              const figures = b.shared
                ? `${b.readsLeft}/${b.readsLimit} requests`
                : `${b.readsLeft}/${b.readsLimit} reads · ${b.writesLeft}/${b.writesLimit} writes`;
              return budgets.length > 1 ? `${providerName(b.provider)} ${figures}` : figures;
            }).join(" · ")}
          </span>
        )}
        <button type="button" className="link statuslink" onClick={() => setProfilesOpen(true)}>Profile: {info.data?.profile ?? "…"}</button>
        {role !== "reviewer" && <span data-testid="role">Role: {role === "support" ? "Support" : "Team lead"}</span>}
        <span data-testid="signed-in-as">
          {info.data ? `${info.data.reviewerName} <${info.data.reviewerEmail}>` : ""}
          {info.data?.teamLogin ? ` · signed in to the team as ${info.data.teamLogin}` : ""}
        </span>
      </footer>
      {palette && <Palette onClose={() => setPalette(false)} />}
      {profilesOpen && <Profiles onClose={closeProfiles} onSwitched={switched} />}
      {help && <Help onClose={() => setHelp(false)} profile={info.data?.profile} dataDir={info.data?.dataDir} version={info.data?.version} />}
    </div>
  );
}


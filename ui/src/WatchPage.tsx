import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { UiError, WatchChange, WatchReport } from "./bindings";
import { backend } from "./ipc";
import { keys, messageOf, useWatch } from "./queries";

/** Ids typed by hand: separated by spaces, commas or new lines. */
const idsOf = (text: string) => text.split(/[\s,;]+/).map((t) => t.trim()).filter(Boolean);

/**
 * The VerifyHQ users whose waiting verifications join the queue (W). VerifyHQ cannot list every
 * verification waiting for review, only a user's, so the desk asks for those of the users here.
 */
export function WatchPage() {
  const client = useQueryClient();
  const watch = useWatch();
  const [typed, setTyped] = useState("");
  const [report, setReport] = useState<WatchReport | null>(null);
  // A file refused for its bad lines, kept so it can be imported again without them.
  const [refused, setRefused] = useState<string | null>(null);
  const change = useMutation<WatchReport, UiError, WatchChange>({
    mutationFn: backend.changeWatch,
    onSuccess: (done) => {
      setReport(done);
      setRefused(null);
      void client.invalidateQueries({ queryKey: keys.watch });
      void client.invalidateQueries({ queryKey: keys.queue });
    },
    onError: (_, asked) => setRefused(asked.kind === "import" && !asked.skip_bad ? asked.text : null),
  });

  async function importFile(file: File | undefined) {
    if (!file) return;
    setReport(null);
    change.mutate({ kind: "import", text: await file.text(), skip_bad: false });
  }

  const view = watch.data;
  return (
    <section className="page" aria-label="Watch list" data-testid="watch-page">
      <h2>VerifyHQ watch list</h2>
      <p className="muted" data-testid="watch-explainer">
        VerifyHQ cannot list every verification waiting for review, only a user&apos;s. The queue holds the
        verifications in MANUAL_REVIEW of the users watched here, read again at every sync.
        {view && (view.shared ? " This list is kept in the team store: every desk of the team watches the same users." : " This list is kept on this desk.")}
      </p>
      {view && !view.verifyhq && <p className="notice" data-testid="watch-off">This profile does not review VerifyHQ cases: the list is kept, but nothing is read.</p>}
      {watch.error && <p role="alert">{messageOf(watch.error)}</p>}
      <form className="watch-form" onSubmit={(e) => {
        e.preventDefault();
        const users = idsOf(typed);
        if (users.length === 0) return;
        setReport(null);
        change.mutate({ kind: "add", users }, { onSuccess: () => setTyped("") });
      }}>
        <input aria-label="User ids to watch" data-testid="watch-input" value={typed} placeholder="DHMAD user ids, e.g. usr_1234" onChange={(e) => setTyped(e.target.value)} />
        <button type="submit" disabled={change.isPending}>Watch</button>
        <label className="inline">
          Import a file (one id per line, or CSV with the id first)
          <input type="file" accept=".txt,.csv,text/plain,text/csv" data-testid="watch-file" onChange={(e) => { void importFile(e.target.files?.[0]); e.target.value = ""; }} />
        </label>
      </form>
      {change.error && <p role="alert" data-testid="watch-error">{change.error.message}</p>}
      {refused !== null && (
        <button type="button" data-testid="watch-skip-bad" onClick={() => change.mutate({ kind: "import", text: refused, skip_bad: true })}>
          Import the good ids and skip those lines
        </button>
      )}
      {report && (
        <p role="status" data-testid="watch-report">
          {report.users.length} watched (was {report.before}).{report.notes.length > 0 && ` ${report.notes.join("; ")}.`}
        </p>
      )}
      {view && (
        <>
          <h3 data-testid="watch-count">{view.users.length} of at most {view.max} users</h3>
          <ul className="watch-list">
            {view.users.map((user) => (
              <li key={user} data-testid="watch-user" data-user={user}>
                <span className="mono">{user}</span>{" "}
                <button type="button" aria-label={`Stop watching ${user}`} disabled={change.isPending} onClick={() => { setReport(null); change.mutate({ kind: "remove", users: [user] }); }}>Stop watching</button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export const SHORTCUTS: [string, string][] = [
  ["J / K", "Next / previous case"],
  ["A", "Approve"],
  ["D", "Decline"],
  ["R", "Ask to redo steps (resubmit)"],
  ["1-9", "Pick a reason in the decision panel"],
  ["Ctrl+Enter", "Queue the decision (sent after the undo window)"],
  ["U", "Undo the last decision while its toast shows"],
  ["Ctrl+K", "Command palette: every action and view by name"],
  ["O", "Outbox: every action and where it stands; retry or cancel"],
  ["Shift+B", "Blocklist view: 1-4 type, [ ] page, J/K move, X unblock, Enter opens the session"],
  ["T", "Team: who is online, on which case, decisions today, and every claim"],
  ["Shift+A", "Audit (team lead): every entry, filtered; Verify; Export the filtered view; figures and charts"],
  ["Shift+R", "Second look (team lead): blind re-review of a share of approvals; agreement figures"],
  ["Q", "Back to the queue from another view"],
  ["B", "Blocklist face / document / phone / email (F D P E), with what else it reaches"],
  ["H", "AML review: digit picks a hit (0 the check), F/C/I/U or A/D/R the status"],
  ["V", "Reveal: focus the first masked value (Tab to the next; Enter asks why, audited)"],
  ["Esc", "Cancel / close"],
  ["/", "Search the queue (Enter opens the first match)"],
  ["S", "Sync the queue now"],
  ["P", "Profiles and API keys"],
  ["?", "Show this list"],
];

export function Help(props: { onClose: () => void; profile?: string; dataDir?: string; version?: string }) {
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table className="grid"><tbody>
        {SHORTCUTS.map(([k, v]) => <tr key={k}><th scope="row"><kbd>{k}</kbd></th><td>{v}</td></tr>)}
      </tbody></table>
      {props.dataDir && (
        <p className="muted">
          Review Desk {props.version} · profile {props.profile} · data in <span className="mono" data-testid="data-dir">{props.dataDir}</span>
        </p>
      )}
      <footer><button type="button" onClick={props.onClose}>Close <kbd>Esc</kbd></button></footer>
    </div>
  );
}

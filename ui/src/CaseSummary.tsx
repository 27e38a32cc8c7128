import { Reveal } from "./Reveal";
import type { CaseView, Check, RevealField, Score, Severity } from "./bindings";
import { providerName } from "./provider";

const CHECK_NAMES: Record<string, string> = {
  ID_VERIFICATION: "ID document",
  NFC: "NFC chip",
  LIVENESS: "Liveness",
  FACE_MATCH: "Face match",
  POA: "Proof of address",
  PHONE: "Phone",
  EMAIL: "Email",
  AML: "AML screening",
  DATABASE_VALIDATION: "Database validation",
  IP_ANALYSIS: "IP analysis",
};

const SEVERITY_LABEL: Record<Severity, string> = { error: "Error", warning: "Warning", information: "Info" };
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2 };

function statusClass(status: string): string {
  return "status status-" + status.toLowerCase().replace(/\s+/g, "-");
}

/** A score against its thresholds, e.g. "62.0 (review ≤ 70, decline ≤ 50)". */
export function scoreText(score: Score): string {
  const parts: string[] = [];
  const cmp = score.higher_is_riskier ? ">" : "≤";
  if (score.review_at !== null) parts.push(`review ${cmp} ${score.review_at}`);
  if (score.decline_at !== null) parts.push(`decline ${cmp} ${score.decline_at}`);
  const from = score.thresholds_from === "workflow" ? "; the workflow's thresholds" : score.thresholds_from === "documented_default" ? "; Didit's documented values, the workflow sets none" : "";
  return `${score.value.toFixed(1)}${parts.length ? ` (${parts.join(", ")}${from})` : ""}`;
}

function CheckRow({ check }: { check: Check }) {
  return (
    <tr>
      <th scope="row">{CHECK_NAMES[check.kind] ?? check.kind}</th>
      <td><span className={statusClass(check.status)}>{check.status}</span></td>
      <td>{check.score ? scoreText(check.score) : ""}</td>
      <td className="facts-inline">{check.facts.map(([k, v]) => `${k}: ${v}`).join(" · ")}</td>
    </tr>
  );
}

type OnReveal = (field: RevealField, reason: string, index?: number) => Promise<string | null>;

function CaseReveal(props: { label: string; masked: string | null; field: RevealField; index?: number; onReveal: OnReveal }) {
  return <Reveal label={props.label} masked={props.masked} name={props.field} reveal={(reason) => props.onReveal(props.field, reason, props.index ?? 0)} />;
}

/** "2 d 3 h" / "5 h" / "12 min": how long the case has waited. */
export function ageText(createdAt: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} h` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Everything the checks found, warnings first. Never an image or a media link. */
export function CaseSummary(props: { view: CaseView; onReveal: OnReveal; now?: number; blind?: boolean }) {
  const s = props.view.summary;
  const doc = s.documents[0];
  const warnings = [...s.warnings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  return (
    <article className="case" aria-label={`Session ${s.case_number ?? s.case_id}`}>
      {s.warnings.some((w) => w.code.endsWith("_IN_BLOCKLIST")) && (
        <p className="notice blocklisted" role="alert" data-testid="blocklisted-banner">
          Blocklisted: {[...new Set(s.warnings.filter((w) => w.code.endsWith("_IN_BLOCKLIST")).map((w) => w.code))].join(", ")}
        </p>
      )}
      {props.view.heldBy ? (
        <p className="readonly" role="status" data-testid="held-by">
          Being reviewed by {props.view.heldBy} on another desk: read-only here until they decide or let it go.
        </p>
      ) : props.view.readOnly && !props.blind && (
        <p className="readonly" role="status" data-testid="read-only">
          Read-only: this session is {s.status}, no longer in review. It can be read, blocklisted or its AML hits marked, not decided.
        </p>
      )}
      <header className="case-head">
        <h2 data-testid="case-title">{props.view.provider === "Didit" ? `Session ${s.case_number ?? "–"}` : `${providerName(props.view.provider)} verification`}</h2>
        {props.view.provider !== "Didit" && <span className="provider-tag" data-testid="case-provider">{providerName(props.view.provider)}</span>}
        <span className={statusClass(s.status)}>{s.status}</span>
        <dl className="meta">
          <dt>ID</dt><dd className="mono">{s.case_id}</dd>
          <dt>Workflow</dt><dd className="mono">{s.workflow_id ?? "–"}</dd>
          <dt>Created</dt><dd>{s.created_at ? new Date(s.created_at).toLocaleString() : "–"}</dd>
          <dt>Age</dt><dd data-testid="case-age">{s.created_at ? ageText(s.created_at, Date.parse(props.view.fetchedAt)) : "–"}</dd>
          <dt>Fetched</dt><dd>{new Date(props.view.fetchedAt).toLocaleTimeString()}</dd>
          {props.view.stale && (
            <><dt>Offline</dt><dd className="offline" data-testid="stale-copy">cached copy, {ageText(props.view.fetchedAt, props.now ?? Date.parse(props.view.fetchedAt))} old: Didit cannot be reached</dd></>
          )}
        </dl>
      </header>

      {!props.view.capabilities.stepDetails && (
        <p className="muted" data-testid="provider-limits">
          {providerName(props.view.provider)} reports the state of each step, not its details;
          {!props.view.capabilities.blocklist && " it has no blocklist and no AML hit reviews;"}
          {!props.view.capabilities.redoSteps && " asking to redo restarts the verification as a new one."}
        </p>
      )}

      <section aria-label="Warnings">
        <h3>Warnings ({s.warnings.length})</h3>
        {s.warnings.length === 0 && <p className="muted">No warnings.</p>}
        <ul className="warnings" data-testid="warnings">
          {warnings.map((w, i) => (
            <li key={`${w.code}-${i}`} className={`warning sev-${w.severity}`} data-code={w.code}>
              <span className="sev">{SEVERITY_LABEL[w.severity]}</span>
              <code>{w.code}</code> <span>{w.short_description}</span>
              <span className="muted"> · {w.check}</span>
            </li>
          ))}
        </ul>
      </section>

      {s.mismatches.length > 0 && (
        <section aria-label="Mismatches">
          <h3>Expected vs found</h3>
          <table className="grid">
            <tbody>
              {s.mismatches.map((m, i) => (
                <tr key={m.field}>
                  <th scope="row">{m.field}</th>
                  <td><CaseReveal label={`expected ${m.field}`} masked={m.expected} field="mismatch_expected" index={i} onReveal={props.onReveal} /></td>
                  <td><CaseReveal label={`found ${m.field}`} masked={m.found} field="mismatch_found" index={i} onReveal={props.onReveal} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section aria-label="Checks">
        <h3>Checks</h3>
        <table className="grid checks"><tbody>{s.checks.map((c) => <CheckRow key={c.step} check={c} />)}</tbody></table>
      </section>

      {doc && (
        <section aria-label="Document">
          <h3>Document</h3>
          <dl className="facts">
            <dt>Type</dt><dd>{doc.document_type ?? "–"}</dd>
            <dt>Issuing country</dt><dd>{doc.issuing_country ?? "–"}</dd>
            <dt>Expiry</dt><dd>{doc.expiry ?? "–"}</dd>
            <dt>Name</dt><dd>{doc.full_name ?? "–"}</dd>
            <dt>Number</dt><dd><CaseReveal label="document number" masked={doc.document_number} field="document_number" onReveal={props.onReveal} /></dd>
            <dt>Date of birth</dt><dd><CaseReveal label="date of birth" masked={doc.date_of_birth} field="date_of_birth" onReveal={props.onReveal} /></dd>
          </dl>
        </section>
      )}

      {s.aml_hits.length > 0 && (
        <section aria-label="AML hits">
          <h3>AML hits <span className="muted">(<kbd>H</kbd> to review)</span></h3>
          <table className="grid"><tbody>
            {s.aml_hits.map((h, i) => (
              <tr key={i} data-testid="aml-hit" data-status={h.review_status ?? ""}><th scope="row">{h.matched_name}</th><td>{h.datasets.join(", ")}</td><td>match {h.match_score?.toFixed(1) ?? "–"}</td><td>{h.review_status ?? ""}</td></tr>
            ))}
          </tbody></table>
        </section>
      )}

      {s.ip.length > 0 && (
        <section aria-label="IP analysis">
          <h3>IP analysis</h3>
          <ul className="plain">
            {s.ip.map((ip, i) => (
              <li key={i}>
                {ip.country ?? "–"} ({ip.country_code ?? "–"}) · VPN/Tor {ip.vpn_or_tor ? "yes" : "no"} · data centre {ip.data_center ? "yes" : "no"}
                {ip.distance_from_document_km !== null && ` · ${Math.round(ip.distance_from_document_km)} km from the document's country`}
              </li>
            ))}
          </ul>
        </section>
      )}

      {s.related.length > 0 && (
        <section aria-label="Related sessions">
          <h3>Duplicates and related sessions</h3>
          <ul className="plain">
            {s.related.map((r, i) => (
              <li key={i}>Session {r.case_number ?? r.case_id ?? "?"} via {r.via}{r.similarity !== null && ` · ${r.similarity.toFixed(1)} %`}{r.blocklisted && " · blocklisted"}</li>
            ))}
          </ul>
        </section>
      )}

      {props.view.otherSessions.length > 0 && (
        <section aria-label="Other sessions of this person">
          <h3>Other sessions of this person ({props.view.otherSessions.length})</h3>
          <ul className="plain" data-testid="other-sessions">
            {props.view.otherSessions.map((o, i) => (
              <li key={i}>Session {o.caseNumber ?? "?"} · <span className={statusClass(o.status)}>{o.status}</span> · {o.createdAt ? new Date(o.createdAt).toLocaleDateString() : "–"}</li>
            ))}
          </ul>
        </section>
      )}

      {s.contacts.length > 0 && (
        <section aria-label="Contacts">
          <h3>Phone and email</h3>
          <ul className="plain">
            {s.contacts.map((c, i) => (
              <li key={i}>{c.kind === "PHONE" ? "Phone" : "Email"} {c.verified ? "verified" : "not verified"}{c.flags.length > 0 && ` · ${c.flags.join(", ")}`}</li>
            ))}
          </ul>
        </section>
      )}

      <section aria-label="Timeline">
        <h3>Timeline</h3>
        {props.view.timeline.length === 0 ? <p className="muted">Nothing has happened to this session yet.</p> : (
          <ol className="plain timeline">
            {props.view.timeline.map((t, i) => (
              <li key={i} data-testid="timeline-entry" data-source={t.source} data-kind={t.kind}>
                <span className="muted">{t.at ? new Date(t.at).toLocaleString() : "–"}</span>{" "}
                <span className={`tl-source ${t.source}`}>{t.source === "provider" ? providerName(props.view.provider) : "Desk"}</span>{" "}
                <strong>{t.kind.toLowerCase().replace(/_/g, " ")}</strong> by {t.actor}{t.actorType ? ` (${t.actorType.toLowerCase().replace(/_/g, " ")})` : ""}
                {t.change && <> · {t.change}</>}
                {t.detail && <> · <span className="detail">{t.detail}</span></>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

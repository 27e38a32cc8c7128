import { useState } from "react";
import { Reveal } from "./Reveal";
import { useQuery } from "@tanstack/react-query";
import { useLocation } from "wouter";
import type { LookupField, UiError, VerificationCard } from "./bindings";
import { backend } from "./ipc";
import { keys, messageOf } from "./queries";

/** What support reads first: the answer to "verified? linked?" in words. */
function verdict(v: VerificationCard): string {
  const kyc = v.kycStatus === "approved" ? "Verified" : v.kycStatus === "rejected" ? "Rejected" : "Not verified yet";
  const review = v.needsAdminReview ? " · waiting for a DHMAD admin review" : "";
  const link = v.linked ? "linked to a DHMAD account" : "not linked to a DHMAD account yet";
  return `${kyc}${review} · ${link}`;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "–");

/** A masked value of a verification; unmasking it needs a reason (audited). */
function LookupReveal(props: { id: string; field: LookupField; masked: string | null; label: string }) {
  return <Reveal label={props.label} masked={props.masked} name={props.field} reveal={(reason) => backend.revealLookup(props.id, props.field, reason)} />;
}

/**
 * Support's lookup (L): an email, a DHMAD verification id or a Didit vendor_data; the answer is
 * the least personal data needed, masked beyond what was typed.
 */
export function LookupPage(props: { canLookUp: boolean }) {
  const [, navigate] = useLocation();
  const [text, setText] = useState("");
  const [asked, setAsked] = useState("");
  const [resending, setResending] = useState<VerificationCard | null>(null);
  const [comment, setComment] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [resendError, setResendError] = useState<string | null>(null);

  async function resend(card: VerificationCard) {
    try {
      await backend.resendInvite(card.id, comment.trim() || null);
      setResending(null);
      setComment("");
      setNotice("Invite queued: the outbox sends it, and shows DHMAD's answer as it is (DHMAD re-sends at most once every 5 minutes).");
    } catch (e) {
      setResendError((e as UiError).message);
    }
  }
  const answer = useQuery({
    queryKey: keys.lookup(asked),
    queryFn: () => backend.lookup(asked),
    enabled: asked.length > 0,
    staleTime: 0,
    gcTime: 0,
  });
  const error = answer.error as UiError | null;

  return (
    <section className="page" aria-labelledby="lookup-title" data-testid="lookup-view">
      <h2 id="lookup-title">Lookup: is this person verified, and linked to their DHMAD account?</h2>
      {!props.canLookUp && <p className="notice" role="status">This profile has no DHMAD API key: add one under Profiles (P) to look people up.</p>}
      <form className="toolbar" onSubmit={(e) => {
        e.preventDefault();
        // The same question again asks DHMAD again (a support call is about "now").
        if (text.trim() === asked) void answer.refetch();
        else setAsked(text.trim());
      }}>
        <input id="lookup-input" data-testid="lookup-input" className="search" autoFocus maxLength={254}
          placeholder="Email, DHMAD verification id (24 hex) or vendor_data" aria-label="Look up" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="primary">Look up <kbd>Enter</kbd></button>
        <span className="muted">DHMAD cannot search by the marketplace&apos;s own user id (external_user_id).</span>
      </form>
      {answer.isFetching && <p>Asking…</p>}
      {notice && <p className="notice" role="status" data-testid="lookup-notice">{notice}</p>}
      {error && (
        <p role="alert" data-testid="lookup-error" data-code={error.code} className={error.code === "already_verified" ? "notice" : ""}>
          {messageOf(error)}
        </p>
      )}
      {answer.data && (
        <div data-testid="lookup-answer">
          {answer.data.verifications.length === 0 && <p className="muted" data-testid="lookup-none">No DHMAD verification found.</p>}
          {answer.data.verifications.map((v) => (
            <article key={v.id} className="card" data-testid="verification-card" data-linked={v.linked} data-kyc={v.kycStatus}>
              <h3 data-testid="verification-verdict">{verdict(v)}</h3>
              <dl className="facts">
                <dt>Verification</dt><dd className="mono">{v.id}</dd>
                <dt>Email</dt><dd>{v.emailMasked ? <LookupReveal id={v.id} field="email" masked={v.email} label="email" /> : <span className="mono">{v.email}</span>}</dd>
                <dt>KYC status</dt><dd>{v.kycStatus}{v.needsAdminReview ? " (needs admin review)" : ""}</dd>
                <dt>Claim</dt><dd data-testid="claim">{v.claimStatus ?? "–"}{v.linked ? ` · at ${when(v.linkedAt)}` : ""}</dd>
                <dt>Linked user</dt><dd><LookupReveal id={v.id} field="linked_user_id" masked={v.linkedUserIdMasked} label="linked user id" /></dd>
                <dt>Invite email</dt><dd>{v.inviteSent ? `sent ${when(v.inviteSentAt)}` : "not sent"}</dd>
                <dt>Didit session</dt><dd>{v.diditSessionStatus ?? "–"}</dd>
                <dt>External user id</dt><dd><LookupReveal id={v.id} field="external_user_id" masked={v.externalUserIdMasked} label="external user id" /></dd>
                <dt>Expires</dt><dd>{when(v.expiresAt)}</dd>
                <dt>Created / updated</dt><dd>{when(v.createdAt)} / {when(v.updatedAt)}</dd>
              </dl>
              {v.kycStatus === "pending" && (
                <button type="button" data-testid="resend-invite" onClick={() => { setResendError(null); setResending(v); }}>Send the invite again…</button>
              )}
            </article>
          ))}
          {answer.data.sessions.length > 0 && (
            <>
              <h3>Didit sessions</h3>
              <ul className="plain">
                {answer.data.sessions.map((s) => (
                  <li key={s.caseId}>
                    <button type="button" className="link" data-testid="person-session" onClick={() => navigate(`/case/${s.caseId}`)}>
                      Session {s.caseNumber ?? "–"} · {s.status} · {when(s.createdAt)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {answer.data.notes.map((n) => <p key={n} className="muted" data-testid="lookup-note">{n}</p>)}
        </div>
      )}
      {resending && (
        <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="resend-title" data-testid="resend-dialog"
          onKeyDown={(e) => { if (e.key === "Escape") setResending(null); }}>
          <h2 id="resend-title">Send the invite again?</h2>
          <p>DHMAD re-creates the verification for the same email: it answers with the pending record and sends the invite again unless one went out in the last 5 minutes. Through the outbox, in the audit log.</p>
          <label className="block">Why (optional)
            <textarea data-testid="resend-comment" value={comment} maxLength={9000} rows={2} autoFocus onChange={(e) => setComment(e.target.value)} />
          </label>
          {resendError && <p role="alert">{resendError}</p>}
          <footer>
            <button type="button" onClick={() => setResending(null)}>Cancel <kbd>Esc</kbd></button>
            <button type="button" className="primary" data-testid="resend-confirm" onClick={() => void resend(resending)}>Queue the invite</button>
          </footer>
        </div>
      )}
    </section>
  );
}

import { useState } from "react";

/**
 * A masked value and its "reveal": the reviewer or support person says why (3 to 500
 * characters, audited by the backend), and only then sees the value.
 */
export function Reveal(props: { label: string; masked: string | null; name: string; reveal: (reason: string) => Promise<string | null> }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (props.masked === null) return <>–</>;
  if (value !== null) return <span className="mono revealed">{value || "(not set)"}</span>;
  return (
    <span>
      <span className="mono">{props.masked}</span>{" "}
      {asking ? (
        <form
          className="reveal"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              setValue((await props.reveal(reason)) ?? "");
            } catch (err) {
              setError((err as { message?: string }).message ?? "Could not reveal");
            }
          }}
        >
          <input aria-label={`Why reveal the ${props.label}?`} placeholder="Why do you need it?" value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
          <button type="submit">Reveal</button>
          {error && <span role="alert">{error}</span>}
        </form>
      ) : (
        <button type="button" className="link" data-reveal={props.name} onClick={() => setAsking(true)}>reveal</button>
      )}
    </span>
  );
}

import { memo, useState } from "react";

/**
 * The first-run screen, shown in the case pane on a desk's first start: what the Sandbox
 * profile is, and the steps to a Live one. It takes no focus and no keys, so the desk can be
 * used at once; "Add a Live profile" opens Profiles.
 */
export const Welcome = memo(function Welcome(props: { onAddProfile: () => void }) {
  const [closed, setClosed] = useState(false);
  if (closed) return null;
  return (
    <section className="welcome" aria-labelledby="welcome-title" data-testid="first-run">
      <h2 id="welcome-title">Welcome to DHMAD Review Desk</h2>
      <p>
        You are on the <strong>Sandbox</strong> profile: a simulator of Didit, DHMAD and VerifyHQ built into the desk,
        with made-up people. Everything works as on a real queue, and nothing you decide here reaches a real person.
        Try it: <kbd>J</kbd> opens the oldest case, <kbd>?</kbd> lists every shortcut.
      </p>
      <p>To review real cases, add a <strong>Live</strong> profile:</p>
      <ol>
        <li>Open Profiles (<kbd>P</kbd>) and give the profile a name and the reviewer it signs decisions as.</li>
        <li>Give Didit&apos;s URL and your Didit API key. Keys go to the OS keyring, never to a file or to this window.</li>
        <li>For support lookups, DHMAD&apos;s API URL and key; if your team reviews VerifyHQ too, its URL and key.</li>
        <li>Press <em>Test connection</em>, then <em>Switch</em>. The Sandbox profile stays there for practice.</li>
      </ol>
      <footer>
        <button type="button" className="primary" data-testid="first-run-add" onClick={props.onAddProfile}>Add a Live profile</button>
        <button type="button" data-testid="first-run-close" onClick={() => setClosed(true)}>Stay on the Sandbox</button>
      </footer>
    </section>
  );
});

import { useState } from "react";
import type { AppInfo, UiError } from "./bindings";
import { backend } from "./ipc";

type Check = { state: "idle" } | { state: "busy" } | { state: "ok"; info: AppInfo } | { state: "error"; error: UiError };

/**
 * First screen while the review features are being built. It says so plainly and offers one
 * honest action: ask the backend who it is.
 */
export function App() {
  const [check, setCheck] = useState<Check>({ state: "idle" });

  async function runCheck() {
    setCheck({ state: "busy" });
    try {
      setCheck({ state: "ok", info: await backend.appInfo() });
    } catch (error) {
      setCheck({ state: "error", error: error as UiError });
    }
  }

  return (
    <main className="shell">
      <header>
        <h1>DHMAD Review Desk</h1>
        <p className="note">The review queue is not built yet. This screen only checks that the desk backend answers.</p>
      </header>
      <button type="button" data-testid="check-backend" onClick={runCheck} disabled={check.state === "busy"}>
        Check backend
      </button>
      {check.state === "ok" && (
        <dl data-testid="backend-info" className="facts">
          <dt>Backend</dt>
          <dd data-testid="backend-version">
            {check.info.productName} {check.info.version}
          </dd>
          <dt>Profile</dt>
          <dd data-testid="backend-profile">
            {check.info.profile}
            {check.info.simulated && <span className="badge">SIMULATED</span>}
          </dd>
          <dt>Data directory</dt>
          <dd data-testid="backend-data-dir">{check.info.dataDir}</dd>
        </dl>
      )}
      {check.state === "error" && (
        <p role="alert" data-testid="backend-error">
          {check.error.message}
          {check.error.retryable && " Try again."}
        </p>
      )}
    </main>
  );
}

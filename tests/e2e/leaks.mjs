// The leak scan every desktop test ends with: the sandbox's API keys and the media links it
// serves (presigned S3-style URLs) must appear in no IPC answer the window received, no log,
// no SQLite or WAL file, no export and nothing else under the app's data root.

/** What must never leave its source: the sandbox's default keys and its media links. */
export const CANARIES = [
  "sandbox_didit_key_0123456789abcdef",
  "sk_sandbox_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
  "vhq_sandbox_key_0123456789abcdef",
  "X-Amz-Signature",
  "didit-sandbox-media",
];

/**
 * Wraps the window's IPC so every answer (and error) is checked for the canaries as it
 * arrives; returns whether the capture is in place. Calls made before it (the first paint)
 * are not seen, every later one is. Events carry no data in this app (they only say what
 * changed), so answers are all there is to read.
 */
export async function captureIpc(browser, canaries) {
  return browser.execute((list) => {
    const internals = window.__TAURI_INTERNALS__;
    if (!internals || internals.__leakScan) return Boolean(internals?.__leakScan);
    const scan = { seen: 0, leaks: [] };
    window.__leakScan = scan;
    const check = (what, value) => {
      let text;
      try { text = typeof value === "string" ? value : JSON.stringify(value); } catch { return; }
      scan.seen += 1;
      for (const canary of list) if (text && text.includes(canary)) scan.leaks.push(`${what}: ${canary}`);
    };
    // The IPC answers come back as responses to fetches of the ipc: protocol (the window's
    // own invoke cannot be replaced); each is read from a clone, the app gets the original.
    const original = window.fetch.bind(window);
    window.fetch = (input, init) => original(input, init).then((response) => {
      const url = String(input?.url ?? input);
      if (url.startsWith("ipc:") || url.startsWith("http://ipc.localhost")) {
        const what = decodeURIComponent(url.split("/").pop() ?? "ipc");
        response.clone().text().then((text) => check(what, text), () => {});
      }
      return response;
    });
    internals.__leakScan = true;
    return window.fetch !== original;
  }, canaries);
}

/** What the window's IPC capture saw: how many answers, and which held a canary. */
export async function ipcLeaks(browser) {
  return browser.execute(() => window.__leakScan ?? null);
}

/** Every file under `dir` holding a canary, as "path: canary". */
export async function fileLeaks(dir, canaries, { readdir, readFile }) {
  const found = [];
  const walk = async (at) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const path = `${at}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const bytes = await readFile(path).catch(() => null);
        if (!bytes) continue;
        for (const canary of canaries) if (bytes.includes(canary)) found.push(`${path}: ${canary}`);
      }
    }
  };
  await walk(dir);
  return found;
}

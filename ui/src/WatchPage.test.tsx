import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { Providers } from "./providers";
import { WatchPage } from "./WatchPage";
import type { WatchChange, WatchView } from "./bindings";

// jsdom's File has no text(); the webview's has.
Blob.prototype.text ??= function (this: Blob) {
  return new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(this);
  });
};

let users: string[] = [];
let asked: WatchChange[] = [];

beforeEach(() => {
  users = ["vhq_user_0001"];
  asked = [];
  mockIPC((cmd, args) => {
    if (cmd === "watch_list") return { users, shared: true, verifyhq: true, max: 5000 } satisfies WatchView;
    if (cmd === "change_watch") {
      const change = (args as { change: WatchChange }).change;
      asked.push(change);
      if (change.kind !== "import") throw new Error("not in this test");
      const lines = change.text.split("\n").filter(Boolean);
      const bad = lines.filter((l) => !/^[\w-]+$/.test(l));
      if (bad.length > 0 && !change.skip_bad) {
        throw { code: "invalid", message: `nothing imported: ${bad.length} line(s) are not VerifyHQ user ids`, retryable: false };
      }
      const before = users.length;
      users = [...users, ...lines.filter((l) => !bad.includes(l) && !users.includes(l))];
      return { users, before, notes: bad.map((b) => `${JSON.stringify(b)} is not a VerifyHQ user id, skipped`) };
    }
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => { cleanup(); clearMocks(); });

describe("WatchPage", () => {
  it("says where the list is kept, refuses a file with bad lines, then imports the rest when asked", async () => {
    render(<Providers><WatchPage /></Providers>);
    await waitFor(() => expect(screen.getByTestId("watch-count").textContent).toBe("1 of at most 5000 users"));
    expect(screen.getByTestId("watch-explainer").textContent).toContain("every desk of the team watches the same users");

    const file = new File(["vhq_user_0002\nnot an id!\nvhq_user_0003\n"], "users.csv", { type: "text/csv" });
    fireEvent.change(screen.getByTestId("watch-file"), { target: { files: [file] } });
    await waitFor(() => expect(screen.getByTestId("watch-error").textContent).toContain("nothing imported: 1 line(s)"));
    expect(users).toHaveLength(1);

    fireEvent.click(screen.getByTestId("watch-skip-bad"));
    await waitFor(() => expect(screen.getByTestId("watch-report").textContent).toBe('3 watched (was 1). "not an id!" is not a VerifyHQ user id, skipped.'));
    await waitFor(() => expect(screen.getAllByTestId("watch-user").map((li) => li.getAttribute("data-user"))).toEqual(["vhq_user_0001", "vhq_user_0002", "vhq_user_0003"]));
    expect(asked.map((c) => c.kind === "import" && c.skip_bad)).toEqual([false, true]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { Profiles } from "./Profiles";
import type { ProfileInput, ProfileView } from "./bindings";

afterEach(() => {
  cleanup();
  clearMocks();
});

const sandbox: ProfileView = {
  profile: { name: "Sandbox", kind: "Sandbox", diditUrl: "", dhmadUrl: "", reviewerName: "Sandbox Reviewer", reviewerEmail: "reviewer@sandbox.dhmad.tn", undoSeconds: 8, slaHours: 24, role: "reviewer" },
  active: true,
  hasDiditKey: false,
  hasDhmadKey: false, hasVerifyhqKey: false, hasTeamPassword: false,
};

describe("Profiles", () => {
  it("sends keys one way and shows only whether they are saved", async () => {
    const saved: ProfileInput[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "profiles") return [sandbox];
      if (cmd === "save_profile") {
        const input = (args as { input: ProfileInput }).input;
        saved.push(input);
        return [sandbox, { profile: input.profile, active: false, hasDiditKey: true, hasDhmadKey: true, hasVerifyhqKey: true, hasTeamPassword: false }];
      }
      return null;
    });
    render(<Profiles onClose={() => undefined} onSwitched={() => undefined} />);
    await screen.findByText("built-in simulator");
    const keyFields = [...document.querySelectorAll("input")].filter((i) => i.type === "password");
    expect(keyFields.length).toBe(4);
    const [diditField, dhmadField, verifyhqField, teamField] = keyFields as [HTMLInputElement, HTMLInputElement, HTMLInputElement, HTMLInputElement];
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Live Tunis" } });
    fireEvent.change(screen.getByLabelText("Reviewer name"), { target: { value: "Amira" } });
    fireEvent.change(screen.getByLabelText("Reviewer email"), { target: { value: "amira@dhmad.tn" } });
    fireEvent.change(diditField, { target: { value: "didit-secret-1" } });
    fireEvent.change(dhmadField, { target: { value: "sk_live_" + "a".repeat(64) } });
    fireEvent.change(screen.getByPlaceholderText(/verifyhq/), { target: { value: " https://api.verifyhq.example/v1 " } });
    fireEvent.change(verifyhqField, { target: { value: "vhq-secret-3" } });
    fireEvent.change(screen.getByPlaceholderText(/postgres:\/\//), { target: { value: " postgres://amira@db.dhmad.tn/review " } });
    fireEvent.change(teamField, { target: { value: "team-secret-2" } });
    fireEvent.click(screen.getByText("Save profile"));
    await waitFor(() => expect(saved.length).toBe(1));
    expect(saved[0]?.diditKey).toBe("didit-secret-1");
    expect(saved[0]?.teamPassword).toBe("team-secret-2");
    expect(saved[0]?.verifyhqKey).toBe("vhq-secret-3");
    expect(saved[0]?.profile.verifyhqUrl).toBe("https://api.verifyhq.example/v1");
    expect(saved[0]?.profile.teamStore).toBe("postgres://amira@db.dhmad.tn/review");
    expect(await screen.findByText("Didit key saved · DHMAD key saved · VerifyHQ key saved · team store (no password saved)")).toBeTruthy();
    expect(document.body.innerHTML).not.toContain("didit-secret-1");
    expect(document.body.innerHTML).not.toContain("team-secret-2");
    expect(document.body.innerHTML).not.toContain("vhq-secret-3");
    expect(keyFields.every((f) => f.value === "")).toBe(true);
  });
});

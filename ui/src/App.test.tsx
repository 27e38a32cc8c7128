import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { App } from "./App";
import type { AppInfo } from "./bindings";

const info: AppInfo = {
  productName: "DHMAD Review Desk",
  version: "0.1.0",
  profile: "Sandbox",
  simulated: true,
  dataDir: "/tmp/desk/sandbox",
};

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("App", () => {
  it("shows what the backend says about itself", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "app_info") return info;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(<App />);
    fireEvent.click(screen.getByTestId("check-backend"));
    expect(await screen.findByTestId("backend-version")).toHaveProperty("textContent", "DHMAD Review Desk 0.1.0");
    expect(screen.getByTestId("backend-profile").textContent).toContain("SIMULATED");
    expect(calls).toEqual(["app_info"]);
  });

  it("shows the backend's error message, never raw text", async () => {
    mockIPC(() => {
      throw { code: "offline", message: "The sandbox is not running.", retryable: true };
    });
    render(<App />);
    fireEvent.click(screen.getByTestId("check-backend"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("The sandbox is not running. Try again.");
  });

  it("turns a malformed rejection into a generic retryable error", async () => {
    mockIPC(() => {
      throw "socket closed: ECONNRESET 127.0.0.1";
    });
    render(<App />);
    fireEvent.click(screen.getByTestId("check-backend"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).not.toContain("ECONNRESET");
    expect(alert.textContent).toContain("did not answer as expected");
  });
});

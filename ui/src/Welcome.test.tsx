import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Welcome } from "./Welcome";

afterEach(cleanup);

describe("the first-run screen", () => {
  it("explains the Sandbox, opens Profiles for a Live profile and can be closed", () => {
    const add = vi.fn();
    render(<Welcome onAddProfile={add} />);
    const panel = screen.getByTestId("first-run");
    expect(panel.textContent).toContain("nothing you decide here reaches a real person");
    expect(panel.textContent).toContain("Keys go to the OS keyring");
    fireEvent.click(screen.getByTestId("first-run-add"));
    expect(add).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByTestId("first-run-close"));
    expect(screen.queryByTestId("first-run")).toBeNull();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { CaseSummary } from "./CaseSummary";
import { DecisionDialog } from "./DecisionDialog";
import type { Capabilities, CaseView, Reason } from "./bindings";

afterEach(cleanup);

// What the backend says VerifyHQ can do (desk-core's provider module).
const VERIFYHQ: Capabilities = { blocklist: false, amlHits: false, redoSteps: false, resubmitStartsAnew: true, resubmitKeepsToken: false, notesRequired: true, notifyEmail: false, stepDetails: false };

const view: CaseView = {
  summary: {
    case_id: "verifyhq:ver_0a1b2c3d4e5f", case_number: null, status: "In Review", workflow_id: "verifyhq:STANDARD", vendor_data: "vhq•••••001",
    created_at: "2026-11-30T10:00:00Z",
    checks: [{ kind: "LIVENESS", step: "liveness", status: "Declined", score: null, facts: [["VerifyHQ step state", "FAILED"]] }],
    warnings: [], documents: [], mismatches: [], aml_hits: [], ip: [], contacts: [], related: [], steps: [], reviews: [],
  },
  fetchedAt: "2026-12-01T09:00:00Z", stale: false, timeline: [], otherSessions: [], readOnly: false, heldBy: null,
  provider: "VerifyHq", capabilities: VERIFYHQ,
};

const reasons: Reason[] = [{ id: "retake", label: "Liveness to retake", verdicts: ["Resubmit"], codes: [] }];

describe("a VerifyHQ case", () => {
  it("names its provider and what that provider cannot do", () => {
    render(<CaseSummary view={view} onReveal={async () => null} />);
    expect(screen.getByTestId("case-title").textContent).toBe("VerifyHQ verification");
    expect(screen.getByTestId("case-provider").textContent).toBe("VerifyHQ");
    const limits = screen.getByTestId("provider-limits").textContent ?? "";
    expect(limits).toContain("no blocklist and no AML hit reviews");
    expect(limits).toContain("restarts the verification as a new one");
  });

  it("restarts instead of asking for steps, and offers no email to the person", () => {
    const onSubmit = vi.fn();
    render(<DecisionDialog verdict="Resubmit" summary={view.summary} provider="VerifyHq" capabilities={VERIFYHQ} reasons={reasons} busy={false} error={null} onSubmit={onSubmit} onCancel={() => {}} />);
    expect(screen.getByRole("heading").textContent).toBe("Restart the verification (VerifyHQ)");
    expect(screen.getByTestId("restart-note").textContent).toContain("starts a new one");
    expect(screen.queryByText("Steps to redo")).toBeNull();
    expect(screen.queryByText(/Email the person/)).toBeNull();
    fireEvent.click(screen.getByRole("radio"));
    fireEvent.change(screen.getByTestId("decision-comment"), { target: { value: "Face not visible" } });
    fireEvent.click(screen.getByTestId("decision-submit"));
    expect(onSubmit).toHaveBeenCalledWith({
      case_id: "verifyhq:ver_0a1b2c3d4e5f", verdict: "Resubmit", comment: "Liveness to retake — Face not visible", notify: null, redo: [], reason_id: "retake",
    });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { ageText, CaseSummary, scoreText } from "./CaseSummary";
import type { CaseView, RevealField } from "./bindings";

afterEach(cleanup);

const view: CaseView = {
  summary: {
    case_id: "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00", case_number: 1043, status: "In Review", workflow_id: "wf", vendor_data: "dhm•••42",
    created_at: "2026-11-20T10:00:00Z",
    checks: [{ kind: "AML", step: "feature_aml_1", status: "In Review", score: { value: 85, decline_at: 100, review_at: 80, higher_is_riskier: true, thresholds_from: null }, facts: [["hits", "1"]] }],
    warnings: [{ check: "AML", code: "POSSIBLE_MATCH_FOUND", severity: "warning", short_description: "Possible watchlist match", long_description: "", step: "feature_aml_1", context: {} }],
    documents: [{ step: "feature_ocr_1", document_type: "Passport", issuing_country: "TUN", expiry: "2030-04-01", document_number: "P1•••••67", date_of_birth: "19••••••02", full_name: "Salma Gharbi", nationality: "TUN", gender: "F", age: 35 }],
    mismatches: [{ field: "date of birth", expected: "1991-04-02", found: "1990-04-02" }],
    aml_hits: [{ hit_id: "hit_1a2b3c", matched_name: "Salma Al-Gharbi", datasets: ["PEP"], match_score: 95, risk_score: 85, review_status: "Unreviewed" }],
    ip: [{ ip_address: "197.1.2.3", country: "France", country_code: "FR", city: null, vpn_or_tor: true, data_center: true, distance_from_document_km: 1480.5 }],
    contacts: [{ kind: "EMAIL", value: "salma@example.tn", verified: true, flags: ["breached"] }],
    related: [{ case_id: "x", case_number: 87, status: "Approved", similarity: 97.4, blocklisted: false, via: "face" }],
    steps: [], reviews: [],
  },
  fetchedAt: "2026-11-22T09:00:00Z", stale: false,
  timeline: [],
  otherSessions: [],
  readOnly: false,
  heldBy: null,
  provider: "Didit",
  capabilities: { blocklist: true, amlHits: true, redoSteps: true, resubmitStartsAnew: false, resubmitKeepsToken: true, notesRequired: false, notifyEmail: true, stepDetails: true },
};

describe("CaseSummary", () => {
  it("shows AML hits, mismatches, IP facts and duplicates, without the contact values", () => {
    render(<CaseSummary view={view} onReveal={async () => null} />);
    expect(screen.getByText("Salma Al-Gharbi")).toBeTruthy();
    expect(screen.getByText("85.0 (review > 80, decline > 100)")).toBeTruthy();
    expect(screen.getByText("1991-04-02")).toBeTruthy();
    expect(screen.getByText(/VPN\/Tor yes.*1481 km from the document's country/)).toBeTruthy();
    expect(screen.getByText(/Session 87 via face · 97\.4 %/)).toBeTruthy();
    expect(document.body.textContent).not.toContain("salma@example.tn");
    expect(document.querySelectorAll("img, video").length).toBe(0);
  });

  it("marks a cached copy opened offline with its age", () => {
    const fetchedAt = "2026-11-22T09:00:00Z";
    render(<CaseSummary view={{ ...view, stale: true, fetchedAt }} now={Date.parse(fetchedAt) + 3 * 3600_000} onReveal={async () => null} />);
    expect(screen.getByTestId("stale-copy").textContent).toBe("cached copy, 3 h old: Didit cannot be reached");
  });

  it("reveals a masked value only after a reason is given", async () => {
    const asked: [RevealField, string, number | undefined][] = [];
    render(<CaseSummary view={view} onReveal={async (field, reason, index) => { asked.push([field, reason, index]); return "P1234567"; }} />);
    expect(screen.getByText("P1•••••67")).toBeTruthy();
    // The mismatch values come first (expected, found), then the document number.
    const reveals = screen.getAllByRole("button", { name: "reveal" });
    fireEvent.click(reveals[2] as HTMLButtonElement);
    const input = screen.getByLabelText("Why reveal the document number?");
    fireEvent.change(input, { target: { value: "Compare with the bank's KYC file" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect(await screen.findByText("P1234567")).toBeTruthy();
    expect(asked).toEqual([["document_number", "Compare with the bank's KYC file", 0]]);
  });
});

describe("scoreText", () => {
  it("shows risk scores with 'above' thresholds", () => {
    expect(scoreText({ value: 85, decline_at: 100, review_at: 80, higher_is_riskier: true, thresholds_from: null })).toBe("85.0 (review > 80, decline > 100)");
    expect(scoreText({ value: 52, decline_at: 35, review_at: 55, higher_is_riskier: false, thresholds_from: "workflow" })).toBe("52.0 (review ≤ 55, decline ≤ 35; the workflow's thresholds)");
    expect(scoreText({ value: 52, decline_at: 40, review_at: 60, higher_is_riskier: false, thresholds_from: "documented_default" })).toContain("Didit's documented values, the workflow sets none");
  });
});

describe("ageText", () => {
  it("reads like a person would say it", () => {
    const created = "2026-11-20T08:00:00Z";
    expect(ageText(created, Date.parse("2026-11-20T08:12:00Z"))).toBe("12 min");
    expect(ageText(created, Date.parse("2026-11-20T13:30:00Z"))).toBe("5 h");
    expect(ageText(created, Date.parse("2026-11-22T11:00:00Z"))).toBe("2 d 3 h");
  });
});

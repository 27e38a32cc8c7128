import { describe, expect, it } from "vitest";
import { reasonsFor } from "./reasons";
import { scoreText } from "./CaseSummary";

describe("reasonsFor", () => {
  it("puts reasons matching the case's warnings first and keeps at most nine", () => {
    const list = reasonsFor("Decline", ["FACE_IN_BLOCKLIST"]);
    expect(list[0]?.id).toBe("blocklisted");
    expect(list.length).toBeLessThanOrEqual(9);
    expect(list.every((r) => r.verdicts.includes("Decline"))).toBe(true);
  });
});

describe("scoreText", () => {
  it("shows risk scores with 'above' thresholds", () => {
    expect(scoreText({ value: 85, decline_at: 100, review_at: 80, higher_is_riskier: true })).toBe("85.0 (review > 80, decline > 100)");
  });
});

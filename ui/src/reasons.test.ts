import { describe, expect, it } from "vitest";
import { reasonsFor } from "./reasons";
import type { Reason } from "./bindings";

const all: Reason[] = [
  { id: "other", label: "Other", verdicts: ["Approve", "Decline", "Resubmit"], codes: [] },
  { id: "blocklisted", label: "Blocklisted", verdicts: ["Decline"], codes: ["FACE_IN_BLOCKLIST"] },
  ...Array.from({ length: 12 }, (_, i): Reason => ({ id: `d${i}`, label: `D${i}`, verdicts: ["Decline"], codes: [] })),
];

describe("reasonsFor", () => {
  it("puts reasons matching the case's warnings first and keeps at most nine", () => {
    const list = reasonsFor(all, "Decline", ["FACE_IN_BLOCKLIST"]);
    expect(list[0]?.id).toBe("blocklisted");
    expect(list.length).toBe(9);
    expect(list.every((r) => r.verdicts.includes("Decline"))).toBe(true);
    expect(reasonsFor(all, "Approve", []).map((r) => r.id)).toEqual(["other"]);
  });
});

// Ordering of decision reasons. The list itself comes from the backend (built in, or the
// team's reasons.json); here only: those matching the case's warnings first, at most nine.
import type { Reason, Verdict } from "./bindings";

export function reasonsFor(all: Reason[], verdict: Verdict, warningCodes: string[]): Reason[] {
  const codes = new Set(warningCodes);
  const matching = (r: Reason) => r.codes.some((c) => codes.has(c));
  const forVerdict = all.filter((r) => r.verdicts.includes(verdict));
  return [...forVerdict.filter(matching), ...forVerdict.filter((r) => !matching(r))].slice(0, 9);
}

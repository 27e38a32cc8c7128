// Decision reasons, keyed by the warning codes they answer. The list a reviewer sees puts the
// reasons that match the case's warnings first; digits 1-9 pick them.
import type { Verdict } from "./bindings";

export interface Reason {
  id: string;
  label: string;
  verdicts: Verdict[];
  /** Warning codes this reason typically answers. */
  codes: string[];
}

export const REASONS: Reason[] = [
  { id: "checks-ok", label: "Checks reviewed and consistent", verdicts: ["Approve"], codes: [] },
  { id: "false-positive-aml", label: "AML hit is a false positive", verdicts: ["Approve"], codes: ["POSSIBLE_MATCH_FOUND"] },
  { id: "duplicate-explained", label: "Duplicate explained (same person, earlier attempt)", verdicts: ["Approve"], codes: ["POSSIBLE_DUPLICATED_USER", "POSSIBLE_DUPLICATED_FACE", "DUPLICATED_FACE"] },
  { id: "document-fraud", label: "Document appears altered or not genuine", verdicts: ["Decline"], codes: ["PORTRAIT_MANIPULATION_DETECTED", "PRINTED_COPY_DETECTED", "SCREEN_CAPTURE_DETECTED", "PUBLIC_DOCUMENT_IMAGE_DETECTED", "SUSPECTED_DOCUMENT_MANIPULATION"] },
  { id: "spoof", label: "Liveness attack or face mismatch", verdicts: ["Decline"], codes: ["LIVENESS_FACE_ATTACK", "LOW_FACE_MATCH_SIMILARITY", "NO_FACE_DETECTED"] },
  { id: "aml-match", label: "Confirmed watchlist match", verdicts: ["Decline"], codes: ["POSSIBLE_MATCH_FOUND"] },
  { id: "blocklisted", label: "Blocklisted face, document, phone or email", verdicts: ["Decline"], codes: ["FACE_IN_BLOCKLIST", "ID_DOCUMENT_IN_BLOCKLIST", "PHONE_NUMBER_IN_BLOCKLIST", "EMAIL_IN_BLOCKLIST"] },
  { id: "data-mismatch", label: "Data does not match what the person declared", verdicts: ["Decline", "Resubmit"], codes: ["FULL_NAME_MISMATCH_WITH_PROVIDED", "DOB_MISMATCH_WITH_PROVIDED", "DATA_INCONSISTENT", "NFC_AND_OCR_DATA_NOT_SAME"] },
  { id: "expired", label: "Document expired", verdicts: ["Decline", "Resubmit"], codes: ["DOCUMENT_EXPIRED", "POA_DOCUMENT_EXPIRED"] },
  { id: "unreadable", label: "Document unreadable: please retake it", verdicts: ["Resubmit"], codes: ["MRZ_NOT_DETECTED", "MRZ_VALIDATION_FAILED", "COULD_NOT_RECOGNIZE_DOCUMENT", "DOCUMENT_NUMBER_NOT_DETECTED", "BARCODE_NOT_DETECTED", "QR_NOT_DETECTED"] },
  { id: "selfie-quality", label: "Selfie quality too low: please retake it", verdicts: ["Resubmit"], codes: ["LOW_LIVENESS_SCORE", "LOW_FACE_QUALITY", "LOW_FACE_LUMINANCE", "HIGH_FACE_LUMINANCE", "MULTIPLE_FACES_DETECTED"] },
  { id: "other", label: "Other (explain in the comment)", verdicts: ["Approve", "Decline", "Resubmit"], codes: [] },
];

/** Reasons for a verdict, those matching the case's warnings first, at most nine. */
export function reasonsFor(verdict: Verdict, warningCodes: string[]): Reason[] {
  const codes = new Set(warningCodes);
  const matching = (r: Reason) => r.codes.some((c) => codes.has(c));
  const forVerdict = REASONS.filter((r) => r.verdicts.includes(verdict));
  return [...forVerdict.filter(matching), ...forVerdict.filter((r) => !matching(r))].slice(0, 9);
}

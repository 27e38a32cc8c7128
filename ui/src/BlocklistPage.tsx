import { useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocation } from "wouter";
import type { BlocklistEntryView, BlocklistKind, UiError } from "./bindings";
import { backend } from "./ipc";
import { keys, messageOf } from "./queries";
import { useCommands } from "./commands";

const KINDS: BlocklistKind[] = ["face", "document", "phone", "email"];

/**
 * The blocklist by type, newest first, a page at a time: 1-4 pick the type, [ and ] page, J/K
 * move, Enter opens the source session, X unblocks (with a reason, through the outbox).
 */
export function BlocklistPage(props: { idle: boolean }) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const [kind, setKind] = useState<BlocklistKind>("face");
  const [page, setPage] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [unblocking, setUnblocking] = useState<BlocklistEntryView | null>(null);
  const [comment, setComment] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const list = useQuery({ queryKey: keys.blocklist(kind, page), queryFn: () => backend.blocklistEntries(kind, page), staleTime: 0 });
  const entries = list.data?.entries ?? [];
  const pages = list.data ? Math.max(1, Math.ceil((list.data.total ?? entries.length) / list.data.pageSize)) : 1;
  const selected = entries[Math.min(cursor, entries.length - 1)] ?? null;

  const unblock = useMutation<unknown, UiError, { entry: BlocklistEntryView; comment: string }>({
    mutationFn: ({ entry, comment }) =>
      backend.blocklist({
        case_id: entry.caseId ?? "",
        add: false,
        face: entry.kind === "face",
        document: entry.kind === "document",
        phone: entry.kind === "phone",
        email: entry.kind === "email",
        reason_id: "unblock",
        comment,
      }),
    onSuccess: (_, { entry }) => {
      setUnblocking(null);
      setComment("");
      setNotice(`Unblock ${entry.kind} of session ${entry.caseNumber ?? ""} queued — the outbox sends it.`);
      void client.invalidateQueries({ queryKey: ["blocklist"] });
    },
  });

  function choose(next: BlocklistKind) {
    setKind(next);
    setPage(0);
    setCursor(0);
  }
  function turn(delta: number) {
    setPage((p) => Math.min(pages - 1, Math.max(0, p + delta)));
    setCursor(0);
  }
  function startUnblock() {
    if (!selected?.caseId) return;
    setUnblocking(selected);
    setTimeout(() => commentRef.current?.focus(), 0);
  }

  const idle = props.idle && !unblocking;
  useHotkeys("1,2,3,4", (e) => { const k = KINDS[Number(e.key) - 1]; if (k) choose(k); }, { enabled: idle }, [idle]);
  useHotkeys("bracketright", () => turn(1), { enabled: idle }, [idle, pages]);
  useHotkeys("bracketleft", () => turn(-1), { enabled: idle }, [idle, pages]);
  useHotkeys("j", () => setCursor((c) => Math.min(entries.length - 1, c + 1)), { enabled: idle }, [idle, entries.length]);
  useHotkeys("k", () => setCursor((c) => Math.max(0, c - 1)), { enabled: idle }, [idle]);
  useHotkeys("enter", () => selected?.caseId && navigate(`/case/${selected.caseId}`), { enabled: idle }, [idle, selected]);
  useHotkeys("x", (e) => { e.preventDefault(); startUnblock(); }, { enabled: idle }, [idle, selected]);
  useHotkeys("mod+enter", (e) => { e.preventDefault(); if (unblocking && comment.trim().length >= 3) unblock.mutate({ entry: unblocking, comment: comment.trim() }); }, { enableOnFormTags: true, enabled: !!unblocking }, [unblocking, comment]);
  useHotkeys("escape", () => setUnblocking(null), { enableOnFormTags: true, enabled: !!unblocking }, [unblocking]);
  useCommands("blocklist", [
    ...KINDS.map((k, i) => ({ id: `blocklist-${k}`, label: `Blocklist: ${k} entries`, group: "Views" as const, keys: String(i + 1), run: () => choose(k) })),
    ...(selected?.caseId ? [{ id: "unblock", label: `Unblock this ${selected.kind}`, group: "Case" as const, keys: "X", run: startUnblock }] : []),
  ]);

  return (
    <section className="page" aria-labelledby="blocklist-title" data-testid="blocklist-view">
      <h2 id="blocklist-title">Blocklist</h2>
      <div className="tabs" role="tablist" aria-label="Blocklist type">
        {KINDS.map((k, i) => (
          <button key={k} type="button" role="tab" aria-selected={k === kind} data-testid={`blocklist-tab-${k}`} onClick={() => choose(k)}>
            <kbd>{i + 1}</kbd> {k}
          </button>
        ))}
      </div>
      {notice && <p className="notice" role="status" data-testid="blocklist-notice">{notice}</p>}
      {(list.error || unblock.error) && <p role="alert">{messageOf(unblock.error) ?? messageOf(list.error)}</p>}
      {list.isPending ? <p>Loading…</p> : entries.length === 0 ? <p className="muted" data-testid="blocklist-empty">No {kind} is blocklisted.</p> : (
        <table className="outbox">
          <thead><tr><th>Blocklisted</th><th>Value</th><th>Source session</th><th /></tr></thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.kind}-${e.caseId}-${i}`} data-testid="blocklist-entry" data-case-id={e.caseId ?? ""} aria-selected={i === cursor} className={i === cursor ? "selected" : ""} onClick={() => setCursor(i)}>
                <td>{e.blocklistedAt ? new Date(e.blocklistedAt).toLocaleString() : "–"}</td>
                <td className="mono">{e.valueMasked ?? (e.kind === "face" ? "(face: no image shown)" : "–")}</td>
                <td>{e.caseNumber ?? "–"}</td>
                <td><button type="button" disabled={!e.caseId} onClick={() => { setCursor(i); setUnblocking(e); }}>Unblock <kbd>X</kbd></button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted" data-testid="blocklist-page">
        Page {page + 1} of {pages}{list.data?.total != null ? ` · ${list.data.total} ${kind} entries` : ""} · <kbd>[</kbd> <kbd>]</kbd> page · <kbd>Enter</kbd> opens the source session · <kbd>Q</kbd> queue
      </p>
      {unblocking && (
        <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="unblock-title" data-testid="unblock-dialog">
          <h2 id="unblock-title">Unblock the {unblocking.kind} of session {unblocking.caseNumber ?? ""}</h2>
          <label className="block">
            Why (required)
            <textarea ref={commentRef} data-testid="unblock-comment" value={comment} maxLength={9000} rows={2} onChange={(e) => setComment(e.target.value)} />
          </label>
          <footer>
            <button type="button" onClick={() => setUnblocking(null)}>Cancel <kbd>Esc</kbd></button>
            <button type="button" className="primary" disabled={comment.trim().length < 3 || unblock.isPending} onClick={() => unblock.mutate({ entry: unblocking, comment: comment.trim() })}>
              Queue <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
            </button>
          </footer>
        </div>
      )}
    </section>
  );
}

// Data hooks over the generated IPC: every view reads the backend through these, so caching,
// polling and refetch-on-change live in one place (TanStack Query), not in components.
import { useLayoutEffect } from "react";
import { QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { throttle } from "throttle-debounce";
import { backend, onOutboxChanged, onQueueChanged, onQueueRows, onTeamChanged } from "./ipc";
import type { QueueFilter, QueuePatch, QueueView, UiError } from "./bindings";

/** One client per window. Reads hit the local backend, so failures are not retried blindly. */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 },
      mutations: { retry: false },
    },
  });
}

export const keys = {
  info: ["app-info"] as const,
  queue: ["queue"] as const,
  reasons: ["reasons"] as const,
  syncStatus: ["sync-status"] as const,
  outboxStatus: ["outbox-status"] as const,
  outbox: ["outbox"] as const,
  case: (id: string) => ["case", id] as const,
  search: (text: string) => ["search", text] as const,
  filter: (filter: QueueFilter) => ["filter", filter] as const,
  find: (text: string) => ["find", text] as const,
  blocklist: (kind: string, page: number) => ["blocklist", kind, page] as const,
  lookup: (text: string) => ["lookup", text] as const,
  team: ["team"] as const,
  watch: ["watch"] as const,
};

export const useAppInfo = () => useQuery({ queryKey: keys.info, queryFn: backend.appInfo, staleTime: Infinity });
/** The whole queue (10,000 rows and more): replaced, not deep-compared, when it changes (a
 * deep compare of every row on every patch only made garbage). */
export const useQueue = () => useQuery({ queryKey: keys.queue, queryFn: readQueue, structuralSharing: false });

/** The whole queue. The change notices are subscribed in a layout effect, before the passive
 * effect that starts this first read; the backend syncs only once this read has reached it. */
function readQueue() {
  return backend.queueView();
}
export const useReasons = () => useQuery({ queryKey: keys.reasons, queryFn: backend.reasons, staleTime: Infinity });
/** Small and cheap: polled so background syncs and the outbox worker show their progress. */
export const useSyncStatus = () => useQuery({ queryKey: keys.syncStatus, queryFn: backend.syncStatus, refetchInterval: 1_000, staleTime: 0 });
export const useOutboxStatus = () => useQuery({ queryKey: keys.outboxStatus, queryFn: backend.outboxStatus, refetchInterval: 1_000, staleTime: 0 });
/** The team: refetched when any desk's claim changes (pushed), and now and then for presence. */
export const useTeam = () => useQuery({ queryKey: keys.team, queryFn: backend.teamView, refetchInterval: 30_000, staleTime: 0 });
export const useWatch = () => useQuery({ queryKey: keys.watch, queryFn: backend.watchList, staleTime: 0 });
export const useOutbox = () => useQuery({ queryKey: keys.outbox, queryFn: backend.outbox, staleTime: 0 });

/** Opening a case reads it fresh from the provider each time it is opened (never kept). */
export function useCase(caseId: string | null) {
  return useQuery({
    queryKey: keys.case(caseId ?? ""),
    queryFn: () => backend.openCase(caseId ?? ""),
    enabled: !!caseId,
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** Queue search runs in the backend, which sees vendor_data unmasked. */
export function useSearch(text: string) {
  const needle = text.trim();
  return useQuery({
    queryKey: keys.search(needle),
    queryFn: () => backend.searchQueue(needle),
    enabled: needle.length > 0,
    staleTime: 0,
  });
}

/** Any session by UUID or vendor_data, outside the queue too (asks the provider). */
export function useFind(text: string, enabled: boolean) {
  const needle = text.trim();
  return useQuery({
    queryKey: keys.find(needle),
    queryFn: () => backend.findSessions(needle),
    enabled: enabled && needle.length >= 3,
    staleTime: 30_000,
  });
}

/** Warning, country and workflow filters run in the backend, which asks the provider (exact)
 * and otherwise says how many cases it could not judge yet. */
export function useQueueFilter(filter: QueueFilter) {
  const active = !!(filter.warning || filter.country || filter.workflowId);
  return useQuery({
    queryKey: keys.filter(filter),
    queryFn: () => backend.filterQueue(filter),
    enabled: active,
    staleTime: 30_000,
  });
}

/** The shortest time between two reads of the whole queue prompted by "queue changed". */
const QUEUE_REFRESH_MS = 1_500;

/** The cached queue with the rows of `patch` in place of those with the same case ids (a row
 * not in the queue any more is not added back). */
export function patchQueue(queue: QueueView, patch: QueuePatch): QueueView {
  const fresh = new Map(patch.rows.map((row) => [row.caseId, row]));
  return {
    ...queue,
    rows: queue.rows.map((row) => fresh.get(row.caseId) ?? row),
    unfetched: patch.unfetched,
    rateBudgets: patch.rateBudgets,
  };
}

/** Reads the whole queue again. A first read still under way is dropped for a new one: TanStack
 * Query joins a refetch to a first read that is running, and that read may predate the change
 * (the backend syncs as soon as the window has asked for the queue). */
async function rereadQueue(client: QueryClient) {
  if (client.getQueryData(keys.queue) === undefined) await client.cancelQueries({ queryKey: keys.queue });
  await client.invalidateQueries({ queryKey: keys.queue });
}

/** The backend's "queue changed" and "outbox changed" notices refetch what they touch; the
 * summary fill's rows patch the cached queue in place. */
export function useBackendEvents() {
  const client = useQueryClient();
  // A layout effect: subscribed before the passive effects that start the first queue read.
  useLayoutEffect(() => {
    // Bursts of notices read the whole queue again at most once per QUEUE_REFRESH_MS (the
    // first change at once, the last one always).
    const queueChanged = throttle(QUEUE_REFRESH_MS, () => {
      void rereadQueue(client);
      void client.invalidateQueries({ queryKey: ["search"] });
      void client.invalidateQueries({ queryKey: ["filter"] });
    });
    // The fill's rows change what filters can judge, not which cases are queued.
    const judged = throttle(QUEUE_REFRESH_MS, () => void client.invalidateQueries({ queryKey: ["filter"] }));
    const subscriptions = [
      onQueueChanged(queueChanged),
      onQueueRows((caseIds) => {
        judged();
        void backend.queueRows(caseIds).then(
          (patch) => {
            // A read of the whole queue under way may predate these rows: read it again instead.
            if (client.isFetching({ queryKey: keys.queue }) > 0) queueChanged();
            else client.setQueryData<QueueView>(keys.queue, (queue) => queue && patchQueue(queue, patch));
          },
          () => queueChanged(),
        );
      }),
      onOutboxChanged(() => {
        void client.invalidateQueries({ queryKey: keys.outbox });
        void client.invalidateQueries({ queryKey: keys.outboxStatus });
        void client.invalidateQueries({ queryKey: ["blocklist"] });
        // Every outbox step is an audit entry: the lead's view shows it as it happens.
        void client.invalidateQueries({ queryKey: ["audit"] });
      }),
      onTeamChanged(() => void client.invalidateQueries({ queryKey: keys.team })),
    ];
    return () => {
      queueChanged.cancel();
      judged.cancel();
      subscriptions.forEach((s) => void s.then((off) => off()).catch(() => undefined));
    };
  }, [client]);
}

/** The message of whatever a query or command failed with. */
export function messageOf(error: unknown): string | null {
  if (!error) return null;
  return (error as UiError).message ?? String(error);
}

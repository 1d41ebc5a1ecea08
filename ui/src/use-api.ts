import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (again when it changes, or every `refreshMs`), keeping the last answer on error. */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    setLoading(true);
    api<T>(path, { signal: controller.signal })
      .then((answer) => {
        setData(answer);
        setError(undefined);
      })
      .catch((failure: unknown) => {
        if ((failure as Error).name !== 'AbortError') setError(failure);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  return { data, error, loading, reload };
}

/**
 * Each item's `/usage` answer by id, fetched again whenever `refreshedBy` changes (the list's
 * last answer); an item whose usage cannot be read is left out. `ids` null: nothing fetched.
 */
export function useUsages<U>(
  ids: readonly string[] | null,
  usagePath: (id: string) => string,
  refreshedBy: unknown,
): Record<string, U> {
  const [usage, setUsage] = useState<Record<string, U>>({});
  useEffect(() => {
    if (!ids) return;
    void Promise.all(
      ids.map((id) =>
        api<U>(usagePath(id))
          .then((answer) => [id, answer] as const)
          .catch(() => undefined),
      ),
    ).then((answers) =>
      setUsage(Object.fromEntries(answers.filter((a): a is readonly [string, U] => !!a))),
    );
  }, [refreshedBy]);
  return usage;
}

/** A change made through the admin API: busy while it runs, its failure kept, `reload` after. */
export function useAdminAction(reload: () => void): {
  act: (work: () => Promise<void>) => Promise<void>;
  busy: boolean;
  error: unknown;
} {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { act, busy, error };
}

import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client';

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? `${error.message}${error.code ? ` (${error.code})` : ''}`
      : (error as Error).message;
  return (
    <p class="notice error" role="alert">
      {message}
    </p>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ComponentChildren }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {children}
    </p>
  );
}

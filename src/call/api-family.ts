import type { ApiFamily } from './ended-call';

const MODELS_PATH = /\/models(\/|$)/;

/** The wire format a path belongs to, from its prefix and its last segments. */
export function apiFamilyOf(path: string): ApiFamily {
  if (path.startsWith('/anthropic/')) return 'anthropic';
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/auth/')) return 'auth';
  if (path === '/ui' || path.startsWith('/ui/')) return 'ui';
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/responses')) return 'responses';
  if (path.endsWith('/completions')) return 'completions';
  if (MODELS_PATH.test(path)) return 'models';
  return 'other';
}

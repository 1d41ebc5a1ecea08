import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api/types';

export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}

/** Whether the signed-in principal holds a permission (issue 20's table, answered by /admin/me). */
export function useCan(): (permission: string) => boolean {
  const me = useMe();
  return (permission) => me.permissions.includes(permission);
}

import { publicGroqModelId } from '../../providers/model-router';
import type { VirtualKeyRecord } from '../../config/governance-config';

/** What the admin API shows of a key: everything but its digest. */
export interface VirtualKeyView {
  id: string;
  name?: string;
  hint?: string;
  team?: string;
  models: string[];
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  budget?: { usd: number; period: string };
  guardrails?: string[];
  /** The key's own policy for retired models; absent: the global models.onRetired. */
  onRetired?: string;
  source: 'config' | 'admin';
  status: 'active' | 'revoked';
  createdAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

export function viewOf(record: VirtualKeyRecord): VirtualKeyView {
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    team: record.team,
    models: record.models.map(publicGroqModelId),
    requestsPerMinute: record.requestsPerMinute,
    tokensPerMinute: record.tokensPerMinute,
    budget: record.budget,
    guardrails: record.guardrails,
    onRetired: record.onRetired,
    source: record.source,
    status: record.revokedAt ? 'revoked' : 'active',
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
    revokedAt: record.revokedAt,
  };
}

import type { FastifyRequest } from 'fastify';
import { destination } from 'pino';
import '../call/call.decorator';
import type { GatewayCall } from '../call/gateway-call';
import type { ErrorCode } from '../common/errors/error-codes';
import { pathOf } from '../common/http/path-of';
import { stdout } from '../logging/stdout';
import { AuditRing } from './audit-ring';

/** How many of the newest audit lines each replica keeps for `GET /admin/audit`. */
export const AUDIT_MEMORY_LINES = 10_000;

export interface AuditEntry {
  /** What happened: `key.create`, `key.rotate`, `key.revoke`, `key.list`, `key.get`, `key.usage`, `admin.auth`, `request`,
   * `auth.login`, `auth.logout`, `auth.session.end`, `auth.session.recheck`, `auth.csrf`, `session.list`, `session.revoke`,
   * `token.create`, `token.list`, `token.delete`, `token.revoke` (the IdP re-check took a user's tokens). */
  action: string;
  /**
   * Who: a virtual key id for calls; for the admin side the principal's subject (`admin-key`,
   * `token:<id>`, the IdP subject of a session), or null for a caller the gateway could not identify.
   */
  actor: string | null;
  /** The admin-side caller's role and how it signed in (issue 20). */
  role?: string;
  via?: string;
  /** The permission a denied admin call lacked. */
  permission?: string;
  /** Why an admin call was refused or a sign-in failed. */
  reason?: string;
  /** What else the action concerned (a token's owner, role, teams and expiry; never a secret). */
  detail?: Record<string, unknown>;
  outcome: 'ok' | 'denied' | 'not_found' | 'invalid' | 'flagged' | 'error';
  requestId: string;
  /** The key acted on, for admin actions. */
  target?: string;
  status?: number;
  code?: ErrorCode;
  method?: string;
  path?: string;
  model?: string;
  /** Only with AUDIT_INCLUDE_PROMPTS=true. */
  messages?: unknown;
  /** The sign-in provider (auth.* actions). */
  provider?: string;
  /** What exactly failed or changed, in words, beside the short `reason` (sign-in, session end). */
  explanation?: string;
  /** The session acted on or acted through. */
  session?: string;
  /** A guardrail's decision (action `guardrail`): the policy, stage, category and the part. */
  policy?: string;
  stage?: string;
  category?: string;
  param?: string;
  /** The text a guardrail matched: only with AUDIT_INCLUDE_PROMPTS=true. */
  matched?: string[];
  /** The caller's address (from a trusted proxy's X-Forwarded-For / Forwarded when one is set). */
  client?: string;
  /** A verified client certificate's identity: direct mTLS, or the mesh's XFCC from a trusted proxy. */
  clientIdentity?: string;
}

/** Who called, as far as the network proved it: the address and the mTLS / mesh identity. */
export function callerOf(
  call: GatewayCall | undefined,
): Pick<AuditEntry, 'client' | 'clientIdentity'> {
  if (!call) return {};
  return {
    ...(call.clientAddress ? { client: call.clientAddress } : {}),
    ...(call.clientIdentity ? { clientIdentity: call.clientIdentity } : {}),
  };
}

/** The request part of an admin action's line: id, method, path, and who called. */
export function requestOrigin(
  request: FastifyRequest,
): Pick<AuditEntry, 'requestId' | 'method' | 'path' | 'client' | 'clientIdentity'> {
  return {
    method: request.method,
    path: pathOf(request.url),
    requestId: String(request.id),
    ...callerOf(request.call),
  };
}

/** Who did an admin action, as the audit line names them. */
export interface AuditActor {
  actor: string;
  role?: string;
  via?: string;
}

interface Writable {
  write(line: string): unknown;
  flushSync?(): void;
}

/**
 * One append-only JSON line per admin action and per denied request, to stdout (beside the logs,
 * told apart by `"log":"audit"`) or to a file opened for appending. Entries are built from ids
 * and outcomes only: no key, digest or prompt reaches them unless prompts are asked for. The
 * newest lines also stay in a bounded ring in memory, which `GET /admin/audit` reads.
 */
export class AuditLog {
  private readonly out: Writable;
  readonly recent: AuditRing;

  constructor(
    target: 'stdout' | string,
    readonly includePrompts: boolean,
    memoryLines = AUDIT_MEMORY_LINES,
  ) {
    this.recent = new AuditRing(memoryLines);
    this.out =
      target === 'stdout'
        ? stdout
        : destination({ dest: target, append: true, mkdir: true, sync: false });
  }

  write(entry: AuditEntry): void {
    const { messages, matched, ...rest } = entry;
    const now = Date.now();
    const line: Record<string, unknown> = {
      log: 'audit',
      time: new Date(now).toISOString(),
      ...rest,
    };
    if (this.includePrompts && messages !== undefined) line.messages = messages;
    if (this.includePrompts && matched !== undefined) line.matched = matched;
    this.out.write(`${JSON.stringify(line)}\n`);
    this.recent.add(now, line);
  }

  flush(): void {
    try {
      this.out.flushSync?.();
    } catch {
      // Nothing written yet, or already closed: nothing to flush.
    }
  }
}

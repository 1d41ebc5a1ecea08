import type { SecretReference } from './secret-reference';

/** A secret as read: its value, and how long the provider says it holds (Vault's lease). */
export interface ReadSecret {
  value: string;
  /** Seconds until the provider wants it read again; absent or 0 means no lease. */
  leaseSeconds?: number;
}

/** Reads the references of one provider. Errors are `SecretReadError`s, worded without values. */
export interface SecretResolver<R extends SecretReference = SecretReference> {
  read(reference: R): Promise<ReadSecret>;
  close?(): Promise<void>;
}

/** Why a reference could not be read; the message names no secret value, ever. */
export class SecretReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretReadError';
  }
}

/**
 * One line for an SDK's error: its name and first line, cut short. SDK errors describe the call
 * (not found, access denied, expired credentials), never the secret's value.
 */
export function describeSdkError(error: unknown): string {
  if (error instanceof SecretReadError) return error.message;
  const named = error as { name?: string; code?: string | number; message?: string };
  const message = (named.message ?? String(error)).split('\n')[0].slice(0, 300);
  const name = named.name && named.name !== 'Error' ? named.name : undefined;
  return name && !message.startsWith(name) ? `${name}: ${message}` : message;
}

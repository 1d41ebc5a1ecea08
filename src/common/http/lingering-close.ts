import type { Socket } from 'node:net';

/** How long a connection refused mid-body keeps reading, and dropping, what the client still sends. */
export const LINGER_MS = 2_000;

/**
 * Makes the connection of a request refused before its body ended close without losing the
 * answer. Closed at once while the client's bytes still arrive, the kernel resets the connection,
 * and the reset can throw the answer away on the client's side before it was read (the client
 * sees ECONNRESET instead of our 400 or 413). Like nginx's and Apache's lingering close: when Node
 * would close the socket after the answer (`destroySoon`), our side is half-closed instead, what
 * still comes in is read and dropped, and the socket goes when the client closes or after
 * `lingerMs`, whichever is first.
 */
export function lingerOnClose(socket: Socket | null | undefined, lingerMs = LINGER_MS): void {
  if (!socket || socket.destroyed) return;
  socket.destroySoon = lingeringDestroySoon;
  (socket as LingeringSocket)[LINGER] = lingerMs;
}

const LINGER = Symbol('lingerMs');
type LingeringSocket = Socket & { [LINGER]: number };

function lingeringDestroySoon(this: LingeringSocket): void {
  if (this.writable) this.end();
  const timer = setTimeout(() => this.destroy(), this[LINGER]);
  timer.unref();
  this.once('close', () => clearTimeout(timer));
  this.resume();
}

import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error';
import { shuttingDownError } from '../errors/shutting-down';
import { parseJsonBody } from './json-body';
import { lingerOnClose } from './lingering-close';
import { JsonScanLimits, JsonStructureScan } from './json-structure-scan';
import { BodyAbandonReason, PendingBodies, PendingBody } from './pending-bodies';

export interface JsonBodyReaderOptions extends JsonScanLimits {
  /** The largest body this request's route takes, in bytes. */
  limitFor(url: string): number;
  /** Bodies still arriving: deadlines, the cap, shutdown. */
  pending: PendingBodies;
  /** For the 408's message. */
  timeoutMs: number;
}

type Done = (error: GatewayError | null, body?: unknown) => void;

/**
 * Reads a JSON request body as it arrives and refuses it as soon as it is hopeless: over the
 * route's size limit (by its content-length, or by the bytes so far), nested deeper or holding
 * more values than allowed (a pre-scan of each chunk, before anything parses it), not complete
 * by its deadline, or pushed out by newer bodies when too many are unfinished. Only a body that
 * passed all of that is parsed (`parseJsonBody`). Fastify closes the connection after any refusal
 * made before the body ended; the rest of the body is read only to be dropped until then
 * (lingering-close.ts), so the client gets the answer rather than a reset.
 *
 * Every JSON call comes through here, so it allocates one object per body (its `JsonBodyRead`,
 * which is also its entry among the pending bodies) and no closures: the stream's listeners are
 * shared functions that find the read on the stream. After a body ended they stay attached
 * (removing four listeners cost more than the nothing they do later on a finished stream).
 */
export function readJsonBody(
  url: string,
  contentLength: string | undefined,
  payload: IncomingMessage,
  options: JsonBodyReaderOptions,
  done: Done,
): void {
  const limit = options.limitFor(url);
  const declared = contentLength === undefined ? undefined : Number(contentLength);
  if (declared !== undefined && declared > limit) {
    lingerOnClose(payload.socket);
    done(tooLarge(limit));
    return;
  }
  const read = new JsonBodyRead(payload, limit, declared, options, done);
  (payload as ReadingPayload)[READ] = read;
  options.pending.add(read);
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.on('close', onClose);
  payload.resume();
}

const READ = Symbol('jsonBodyRead');

type ReadingPayload = IncomingMessage & { [READ]: JsonBodyRead };

/** One body being read: its bytes so far, its scan, its answer (given once). */
class JsonBodyRead implements PendingBody {
  readonly scan: JsonStructureScan;
  chunks: Buffer[] = [];
  received = 0;
  finished = false;

  constructor(
    readonly payload: IncomingMessage,
    readonly limit: number,
    readonly contentLength: number | undefined,
    readonly options: JsonBodyReaderOptions,
    private readonly done: Done,
  ) {
    this.scan = new JsonStructureScan(options);
  }

  abandon(reason: BodyAbandonReason): void {
    this.refuse(abandoned(reason, this.options.timeoutMs));
  }

  /**
   * Refused before the body ended: stop listening; the rest is read only to be dropped while the
   * answer leaves (a lingering close), never parsed.
   */
  refuse(error: GatewayError, clientGone = false): void {
    if (this.finished) return;
    const payload = this.payload;
    payload.off('data', onData);
    payload.off('end', onEnd);
    payload.off('error', onError);
    payload.off('close', onClose);
    if (!clientGone) lingerOnClose(payload.socket);
    this.finish(error);
  }

  finish(error: GatewayError | null, body?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.options.pending.remove(this);
    this.done(error, body);
  }
}

function onData(this: ReadingPayload, chunk: Buffer): void {
  const read = this[READ];
  if (read.finished) return;
  read.received += chunk.length;
  if (read.received > read.limit) {
    read.refuse(tooLarge(read.limit));
    return;
  }
  const problem = read.scan.feed(chunk);
  if (problem !== undefined) {
    read.refuse(invalidJson(problem));
    return;
  }
  read.chunks.push(chunk);
}

function onEnd(this: ReadingPayload): void {
  const read = this[READ];
  if (read.finished) return;
  if (read.contentLength !== undefined && read.contentLength !== read.received) {
    read.finish(invalidJson('The request body is shorter than its content-length.'));
    return;
  }
  const chunks = read.chunks;
  // Not kept past parsing (the read stays on the request while it is served).
  read.chunks = [];
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  // The depth was checked by the scan already.
  const parsed = parseJsonBody(body, read.options.maxDepth, true);
  if (parsed.ok) read.finish(null, parsed.value);
  else read.finish(invalidJson(parsed.problem));
}

// The client went away mid-body: nobody is left to answer, but the request must end.
function onError(this: ReadingPayload): void {
  this[READ].refuse(clientLeft(), true);
}

function onClose(this: ReadingPayload): void {
  if (!this.complete) this[READ].refuse(clientLeft(), true);
}

function clientLeft(): GatewayError {
  return new GatewayError({
    status: 400,
    message: 'The client closed the connection mid-body.',
    code: 'bad_http_request',
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    message: `The request body is larger than ${limit} bytes, the most this route takes.`,
    code: 'request_too_large',
  });
}

function invalidJson(problem: string): GatewayError {
  return new GatewayError({ status: 400, message: problem, code: 'invalid_json' });
}

function abandoned(reason: BodyAbandonReason, timeoutMs: number): GatewayError {
  if (reason === 'shutting_down') return shuttingDownError();
  return new GatewayError({
    status: 408,
    message:
      reason === 'timeout'
        ? `The request body did not arrive within ${timeoutMs} ms. Send the whole body at once.`
        : 'The request body was still arriving when newer requests needed its place: too many bodies were unfinished. Send the whole body at once.',
    code: 'request_timeout',
  });
}

import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error';
import { shuttingDownError } from '../errors/shutting-down';
import { parseJsonBody } from './json-body';
import { JsonScanLimits, JsonStructureScan } from './json-structure-scan';
import { BodyAbandonReason, PendingBodies } from './pending-bodies';

export interface JsonBodyReaderOptions extends JsonScanLimits {
  /** The largest body this request's route takes, in bytes. */
  limitFor(url: string): number;
  /** Bodies still arriving: deadlines, the cap, shutdown. */
  pending: PendingBodies;
  /** For the 408's message. */
  timeoutMs: number;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Reads a JSON request body as it arrives and refuses it as soon as it is hopeless: over the
 * route's size limit (by its content-length, or by the bytes so far), nested deeper or holding
 * more values than allowed (a pre-scan of each chunk, before anything parses it), not complete
 * by its deadline, or pushed out by newer bodies when too many are unfinished. Only a body that
 * passed all of that is parsed (`parseJsonBody`). Fastify closes the connection after any refusal
 * made before the body ended, so the rest of it is never read.
 */
export function readJsonBody(
  url: string,
  contentLength: string | undefined,
  payload: IncomingMessage,
  options: JsonBodyReaderOptions,
  done: Done,
): void {
  const limit = options.limitFor(url);
  if (contentLength !== undefined && Number(contentLength) > limit) {
    done(tooLarge(limit));
    return;
  }
  const scan = new JsonStructureScan(options);
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;

  const finish = (error: Error | null, body?: unknown) => {
    if (finished) return;
    finished = true;
    ended();
    payload.off('data', onData);
    payload.off('end', onEnd);
    payload.off('error', onError);
    payload.off('close', onClose);
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      finish(tooLarge(limit));
      return;
    }
    const problem = scan.feed(chunk);
    if (problem !== undefined) {
      finish(invalidJson(problem));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (contentLength !== undefined && Number(contentLength) !== received) {
      finish(invalidJson('The request body is shorter than its content-length.'));
      return;
    }
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const parsed = parseJsonBody(body, options.maxDepth);
    if (parsed.ok) finish(null, parsed.value);
    else finish(invalidJson(parsed.problem));
  };
  // The client went away mid-body: nobody is left to answer, but the request must end.
  const onError = (error: Error) =>
    finish(Object.assign(error, { statusCode: 400, status: 400 }) as Error);
  const onClose = () => {
    if (!payload.complete) onError(new Error('The client closed the connection mid-body.'));
  };
  const ended = options.pending.add((reason) => finish(abandoned(reason, options.timeoutMs)));

  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.on('close', onClose);
  payload.resume();
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

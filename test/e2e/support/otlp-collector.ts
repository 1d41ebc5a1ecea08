import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP/JSON AnyValue as the spec writes it (int64 as a string or a number). */
export interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** One log record as received, with its resource's attributes beside it. */
export interface ReceivedLog {
  resource: Record<string, unknown>;
  scope: string;
  timeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  eventName?: string;
  body: string;
  attributes: Record<string, unknown>;
}

export interface OtlpCollector {
  url: string;
  logs: ReceivedLog[];
  /** Requests refused: wrong path, content type, auth or shape (what was wrong, each). */
  refused: string[];
  stop(): Promise<void>;
}

/**
 * A loopback stand-in for an OpenTelemetry collector's OTLP/HTTP logs receiver (`POST /v1/logs`,
 * OTLP/JSON). It checks what a collector checks: the path, the content type, an optional bearer
 * token, and the ExportLogsServiceRequest shape (resourceLogs / scopeLogs / logRecords, typed
 * AnyValues); anything else is answered 400 or 401 and listed in `refused`.
 */
export async function startOtlpCollector(token?: string): Promise<OtlpCollector> {
  const logs: ReceivedLog[] = [];
  const refused: string[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const refuse = (status: number, why: string) => {
        refused.push(why);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: status === 401 ? 16 : 3, message: why }));
      };
      if (request.method !== 'POST' || request.url !== '/v1/logs') return refuse(404, 'path');
      if (token && request.headers.authorization !== `Bearer ${token}`) return refuse(401, 'auth');
      if (!String(request.headers['content-type']).startsWith('application/json'))
        return refuse(415, `content-type ${request.headers['content-type']}`);
      try {
        logs.push(...parseExportRequest(JSON.parse(body.toString('utf8'))));
      } catch (error) {
        return refuse(400, (error as Error).message);
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"partialSuccess":{}}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/logs`,
    logs,
    refused,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An ExportLogsServiceRequest in OTLP/JSON, checked field by field; throws on a wrong shape. */
export function parseExportRequest(request: unknown): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  const resourceLogs = arrayAt(request, 'resourceLogs');
  for (const rl of resourceLogs) {
    const resource = attributes(arrayAt(objectAt(rl, 'resource'), 'attributes'));
    for (const sl of arrayAt(rl, 'scopeLogs')) {
      const scope = objectAt(sl, 'scope').name;
      if (typeof scope !== 'string') throw new Error('scope.name is not a string');
      for (const record of arrayAt(sl, 'logRecords')) {
        const r = record as Record<string, unknown>;
        const time = r.timeUnixNano;
        if (!(typeof time === 'string' && /^\d+$/.test(time)) && typeof time !== 'number')
          throw new Error('logRecord.timeUnixNano is not an int64');
        if (typeof r.severityNumber !== 'number' || r.severityNumber < 1 || r.severityNumber > 24)
          throw new Error('logRecord.severityNumber is not 1..24');
        const body = value(objectAt(r, 'body') as AnyValue);
        if (typeof body !== 'string') throw new Error('logRecord.body is not a string value');
        out.push({
          resource,
          scope,
          timeUnixNano: BigInt(time),
          severityNumber: r.severityNumber,
          severityText: String(r.severityText),
          eventName: r.eventName as string | undefined,
          body,
          attributes: attributes(arrayAt(r, 'attributes')),
        });
      }
    }
  }
  return out;
}

function attributes(list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const { key, value: v } = item as KeyValue;
    if (typeof key !== 'string' || typeof v !== 'object')
      throw new Error('attribute is not a KeyValue');
    out[key] = value(v);
  }
  return out;
}

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  throw new Error(`unexpected AnyValue ${JSON.stringify(v)}`);
}

function objectAt(source: unknown, key: string): Record<string, unknown> {
  const v = (source as Record<string, unknown>)?.[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${key} is not an object`);
  return v as Record<string, unknown>;
}

function arrayAt(source: unknown, key: string): unknown[] {
  const v = (source as Record<string, unknown>)?.[key];
  if (!Array.isArray(v)) throw new Error(`${key} is not an array`);
  return v;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

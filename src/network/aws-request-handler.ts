import type {
  HttpHandlerOptions,
  HttpRequest,
  HttpResponse,
  QueryParameterBag,
  RequestHandler,
} from '@smithy/types';
import { request, type Dispatcher } from 'undici';
import type { NetworkConfig } from '../config/network-config';
import { egressAgent, egressConfigured } from './egress';

/** `?a=1&b=x&b=y` from the SDK's query bag (null: a key without a value, as S3 uses). */
export function queryString(query: QueryParameterBag | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    const key = encodeURIComponent(name);
    if (value === null) parts.push(key);
    else
      for (const one of Array.isArray(value) ? value : [value])
        parts.push(`${key}=${encodeURIComponent(one)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Undici's header values (a list for a repeated header) as the SDK's one string per name. */
export function headerBag(headers: Record<string, string | string[] | undefined>) {
  const bag: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) bag[name] = Array.isArray(value) ? value.join(', ') : value;
  return bag;
}

/**
 * An AWS SDK request handler on undici, through the gateway's egress (HTTP(S)_PROXY, NO_PROXY,
 * UPSTREAM_CA_FILE). The SDK's default Node handler opens node:https connections that know
 * nothing of proxies; its fetch handler uses Node's built-in fetch, whose bundled undici does not
 * work with the npm undici dispatcher the gateway installs (requests with a body fail with
 * "invalid content-length header"). So: undici's own `request`, with an egress dispatcher.
 */
export class UndiciAwsHandler implements RequestHandler<
  HttpRequest,
  HttpResponse,
  HttpHandlerOptions
> {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {}

  async handle(
    sdkRequest: HttpRequest,
    options: HttpHandlerOptions = {},
  ): Promise<{ response: HttpResponse }> {
    const port = sdkRequest.port ? `:${sdkRequest.port}` : '';
    const url = `${sdkRequest.protocol}//${sdkRequest.hostname}${port}${sdkRequest.path}${queryString(sdkRequest.query)}`;
    const signal = options.abortSignal as AbortSignal | undefined;
    const answer = await request(url, {
      method: sdkRequest.method as Dispatcher.HttpMethod,
      headers: sdkRequest.headers,
      body: sdkRequest.body as Dispatcher.DispatchOptions['body'],
      dispatcher: this.dispatcher,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      ...(signal && typeof signal.addEventListener === 'function' ? { signal } : {}),
    });
    return {
      response: {
        statusCode: answer.statusCode,
        headers: headerBag(answer.headers),
        body: answer.body,
      },
    };
  }

  destroy(): void {
    void this.dispatcher.close();
  }
}

/** The handler for AWS SDK clients: undefined (the SDK's own) when no egress setting is made. */
export function awsRequestHandler(
  egress: NetworkConfig['egress'],
  timeoutMs = 30_000,
): UndiciAwsHandler | undefined {
  if (!egressConfigured(egress)) return undefined;
  return new UndiciAwsHandler(egressAgent(egress, {}), timeoutMs);
}

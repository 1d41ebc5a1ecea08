import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

/**
 * Node's HTTP parser rejects some requests before any framework sees them: headers too large
 * (431), malformed request lines (400), a request too slow to arrive (408). Answer those in OpenAI's
 * envelope too, then close the connection, as Node itself would.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const message =
    status === 431
      ? 'Request headers are larger than the gateway accepts. Send fewer or smaller headers.'
      : status === 408
        ? 'The request took too long to arrive. Try again.'
        : 'The request could not be parsed as HTTP. Check the client.';
  const body = JSON.stringify({
    error: { message, type: 'invalid_request_error', code: 'bad_http_request', param: null },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

import { Injectable } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A socket as node:http leaves it: the response being written on it, if any. */
type HttpSocket = Socket & { _httpMessage?: EventEmitter | null };

/** A server the gateway answers on: node:http, node:https or node:http2 (compat API). */
interface AnsweringServer {
  on(event: 'connection' | 'secureConnection', listener: (socket: HttpSocket) => void): unknown;
  on(
    event: 'request',
    listener: (request: IncomingMessage, response: ServerResponse) => void,
  ): unknown;
}

/**
 * The responses the gateway is writing, for shutdown to reach every call still being answered.
 *
 * For HTTP/1.1 it holds connections, not requests: node:http points each connection at the
 * response it is writing (`_httpMessage`), and a keep-alive connection lives long anyway. A
 * registry of in-flight calls (a Map of calls in SseWriter) cost about a tenth more CPU per JSON
 * call when measured: V8 then promoted most of each call's objects to the old generation (the
 * gateway allocates about 55 KB per call; 8.5 KB of it was promoted instead of 0.2 KB).
 *
 * Responses no connection points at are kept one by one, until they close: a pipelined HTTP/1.1
 * request's (queued behind the one before it) and every HTTP/2 stream's (TLS with h2, and the h2c
 * listener), since an HTTP/2 session carries many responses at once. Those pay the registry's cost.
 */
@Injectable()
export class OpenResponses {
  private readonly sockets = new Set<HttpSocket>();
  private readonly unattached = new Set<EventEmitter>();

  /** Tracks what `server` answers from now on. Call it before the server listens. */
  watch(server: AnsweringServer): void {
    const track = (socket: HttpSocket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    };
    server.on('connection', track);
    // An HTTPS server answers on the TLS socket, which 'connection' (the TCP one) is not.
    server.on('secureConnection', track);
    server.on('request', (request, response) => {
      // HTTP/1.1 not pipelined: the socket already points at the response (the hot path).
      if (request.httpVersionMajor < 2 && response.socket) return;
      this.unattached.add(response);
      response.once('close', () => this.unattached.delete(response));
    });
  }

  /** The responses being written now, each once. */
  current(): EventEmitter[] {
    const responses = new Set<EventEmitter>(this.unattached);
    for (const socket of this.sockets) {
      const response = socket._httpMessage;
      if (response) responses.add(response);
    }
    return [...responses];
  }
}

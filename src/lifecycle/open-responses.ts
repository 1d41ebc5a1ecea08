import type { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** A socket as node:http leaves it: the response being written on it, if any. */
type HttpSocket = Socket & { _httpMessage?: EventEmitter | null };

/**
 * The responses being written on a server's connections, for shutdown to reach every call still
 * being answered. It holds connections, not requests: a registry that held each in-flight call
 * (a Map of calls in SseWriter) cost about a tenth more CPU per JSON call when measured, because
 * V8 then promoted most of each call's objects to the old generation (the gateway allocates about
 * 55 KB per call; 8.5 KB of it was promoted instead of 0.2 KB). A keep-alive connection lives
 * long anyway, and node:http already points it at its current response (`_httpMessage`).
 */
export class OpenResponses {
  private readonly sockets = new Set<HttpSocket>();

  /** Tracks every connection `server` accepts from now on (TLS ones by their TLS socket). */
  watch(server: Pick<Server, 'on'>): void {
    const track = (socket: HttpSocket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    };
    server.on('connection', track);
    // An HTTPS server answers on the TLS socket, which 'connection' (the TCP one) is not.
    server.on('secureConnection', track);
  }

  /** The response each open connection is writing now. */
  current(): EventEmitter[] {
    const responses: EventEmitter[] = [];
    for (const socket of this.sockets) {
      const response = socket._httpMessage;
      if (response) responses.push(response);
    }
    return responses;
  }
}

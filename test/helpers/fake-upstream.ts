/**
 * A programmable upstream on 127.0.0.1 for the hostile-traffic tests: every request is recorded, and
 * the handler decides how to misbehave (hang, reset, redirect, send too much). `rawUpstream` answers
 * with bytes written straight to the socket, for responses node:http refuses to produce.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (seen: Seen, res: ServerResponse, req: IncomingMessage) => void;

export interface FakeUpstream {
  url: string;
  seen: Seen[];
  handle(handler: Handler): void;
  /** Forgets what was seen and goes back to the initial handler (for afterEach). */
  reset(): void;
  close(): Promise<void>;
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_seen, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

export async function fakeUpstream(
  initial: Handler = json(200, { id: 'obj_1', object: 'ok' }),
): Promise<FakeUpstream> {
  let handler = initial;
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      handler(entry, res, req);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    handle: (next) => (handler = next),
    reset: () => {
      seen.length = 0;
      handler = initial;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An upstream that answers every request with `response`, written as is to the socket. */
export async function rawUpstream(
  response: string,
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      hits++;
      socket.end(response);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `{"a":"x","b":{"a":"x","b":{...}}}`: one leaf per level, `depth` levels. */
export function nestedJson(depth: number): string {
  return '{"a":"x","b":'.repeat(depth) + '{}' + '}'.repeat(depth);
}

/** A request as `startFakeUpstream` records it: the URL parsed. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAnswer {
  status?: number;
  json?: unknown;
}

/** What `startFakeUpstream` returns: where it listens and what it saw. */
export interface RecordingUpstream {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A well-behaved upstream answering JSON through `answer`, on top of {@link fakeUpstream}. */
export async function startFakeUpstream(
  answer: (request: SeenRequest) => FakeAnswer,
): Promise<RecordingUpstream> {
  const requests: SeenRequest[] = [];
  const upstream = await fakeUpstream((seen, res) => {
    const request = { ...seen, url: new URL(seen.url, 'http://upstream.local') };
    requests.push(request);
    const { status = 200, json: body } = answer(request);
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { url: upstream.url, seen: requests, close: () => upstream.close() };
}

/**
 * For the tests of issue 13's capability files (test/fixtures/stripe-surfaces): a project laid out
 * in subfolders (specs/capabilities, specs/openapi) with Stripe's full spec copied in, generated
 * once; a recorder of the requests that reach "Stripe" (msw: both hosts), shared by the generated
 * code and the official `stripe` package; and multipart bodies compared modulo their boundary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { runCli } from '../../generator/cli.js';
import { PROJECT_ROOT as ROOT } from './ts-project.js';

export const SPEC3 = path.resolve(ROOT, '../shared/stripe/spec3.json');
export const FIXTURES3 = path.resolve(ROOT, '../shared/stripe/fixtures3.json');
export const HAS_SPEC3 = fs.existsSync(SPEC3);
const SURFACES = path.join(ROOT, 'test/fixtures/stripe-surfaces');

export interface SurfaceProject {
  dir: string;
  /** The generated folder (`<dir>/generated`). */
  out: string;
  code: number;
  stdout: string;
  stderr: string;
  remove(): void;
}

/**
 * A project (inside the repository, so generated code resolves node_modules) with the fixture
 * capability files under specs/capabilities and the OpenAPI documents under specs/openapi, Stripe's
 * spec3.json among them; `capgen generate --verbose` run in it, with no other option.
 */
export async function generateSurfaces(prefix: string): Promise<SurfaceProject> {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', `${prefix}-`));
  fs.cpSync(path.join(SURFACES, 'specs'), path.join(dir, 'specs'), { recursive: true });
  fs.copyFileSync(SPEC3, path.join(dir, 'specs/openapi/spec3.json'));
  let stdout = '';
  let stderr = '';
  const code = await runCli(['generate', '--verbose'], {
    cwd: dir,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
  });
  return {
    dir,
    out: path.join(dir, 'generated'),
    code,
    stdout,
    stderr,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** One request as it reached the mocked upstream. */
export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
}

/**
 * msw answering every request to any host with `respond` (JSON `{}` by default), recording them.
 * `listen()` / `close()` in beforeAll / afterAll; `reset()` between cases.
 */
export function upstreamRecorder() {
  const seen: Recorded[] = [];
  let respond: (req: Recorded) => Response = () => HttpResponse.json({});
  const server = setupServer(
    http.all('*', async ({ request }) => {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const req: Recorded = {
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        bytes,
        text: new TextDecoder().decode(bytes),
      };
      seen.push(req);
      return respond(req);
    }),
  );
  return {
    seen,
    listen: () => server.listen({ onUnhandledRequest: 'error' }),
    close: () => server.close(),
    reset(responder?: (req: Recorded) => Response) {
      seen.length = 0;
      respond = responder ?? (() => HttpResponse.json({}));
    },
    /** The one request recorded since the last reset (fails when there were more or none). */
    only(): Recorded {
      if (seen.length !== 1) throw new Error(`expected one upstream request, got ${seen.length}`);
      return seen[0];
    },
  };
}

/** `multipart/form-data; boundary=X` → X. */
export function boundaryOf(contentType: string | null): string {
  const match = /^multipart\/form-data; boundary=(.+)$/.exec(contentType ?? '');
  if (!match) throw new Error(`not a multipart Content-Type: ${contentType}`);
  return match[1];
}

/**
 * A multipart body with its boundary replaced by `BOUNDARY`, as latin1 text (byte for byte: every
 * byte is one character), so two encodings compare exactly but for their boundaries.
 */
export function withoutBoundary(req: Recorded): string {
  const boundary = boundaryOf(req.headers.get('content-type'));
  return Buffer.from(req.bytes).toString('latin1').split(boundary).join('BOUNDARY');
}

/**
 * The headers both a generated client and stripe-node send, whose values depend on neither (not the
 * User-Agent, the idempotency key or the API version). A multipart body's Content-Length depends on
 * its boundary: it is checked against the body. A GET has no body, and so no Content-Type (stripe-node
 * labels it anyway; HTTP says a request without content has none).
 */
export function comparableHeaders(req: Recorded): Record<string, string | null> {
  const type = req.headers.get('content-type');
  const length = req.headers.get('content-length');
  const multipart = type?.startsWith('multipart/') === true;
  return {
    authorization: req.headers.get('authorization'),
    'content-type':
      req.method === 'GET' ? null : (type?.replace(/boundary=.*$/, 'boundary=') ?? null),
    'content-length':
      multipart && Number(length) === req.bytes.byteLength ? 'the length of the body' : length,
    accept: req.headers.get('accept'),
  };
}

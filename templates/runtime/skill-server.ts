/**
 * The skill catalog (a `skill` exposes block), as the Naftiko engine serves it: read-only JSON over
 * HTTP, `createSkillHandler` being a web-standard `(Request) => Promise<Response>` handler.
 *
 * - `GET /skills`: `{count, skills: [{name, description, license?, tools: [names]}]}`;
 * - `GET /skills/{name}`: the skill's metadata and tools; a tool taken from a sibling adapter has
 *   `type: derived` and `invocationRef: {targetNamespace, action, mode: rest|mcp}`, an instruction
 *   `type: instruction` and its file path;
 * - `GET /skills/{name}/contents`: `{name, files: [{path, size, type}]}` of the skill's `location`
 *   folder, read at run time (files.ts: no links, no dot files, safe names only);
 * - `GET /skills/{name}/contents/{path}`: one of those files, with its media type;
 * - `GET /skills/{name}/download`: the folder as a ZIP archive (fflate);
 * - `GET /healthz`: 200.
 *
 * An unknown skill, a skill without `location`, a missing folder or file: 404. An unsafe path: 400.
 * Other methods: 405. A browser `Origin` not allowed: 403. When `auth` is set, every route but
 * `/healthz` requires the credentials (401; a digest challenge round, or a verified OAuth 2.1 JWT
 * with 403 for missing scopes, as for the REST adapter). Web-standard: files are read through files.ts.
 */
import { zipSync } from 'fflate';

import type { InboundAuth, JsonValue } from './contract.js';
import { credentialsMatch, resolveExpectedCredentials } from './credentials.js';
import { checkDigestRequest, checkOAuth2, type Refusal } from './inbound-auth.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  FileAccessError,
  fileUriPath,
  isSafeSegment,
  listFiles,
  mimeTypeOf,
  readUnder,
} from './files.js';
import { originChecker } from './origin.js';

/** A tool of a skill: an operation or tool of a sibling adapter, or an instruction file. */
export type SkillToolSpec =
  | {
      name: string;
      description: string;
      from: { sourceNamespace: string; action: string };
      /** The kind of the sibling adapter. */
      mode: 'rest' | 'mcp';
    }
  | { name: string; description: string; instruction: string };

/** One skill, with the Agent Skills fields the capability declares. */
export interface SkillSpec {
  name: string;
  description: string;
  license?: string;
  compatibility?: string;
  metadata?: Record<string, string>;
  'allowed-tools'?: string;
  'argument-hint'?: string;
  'user-invocable'?: boolean;
  'disable-model-invocation'?: boolean;
  /** `file:///` URI of the skill's folder, read at run time. */
  location?: string;
  tools: SkillToolSpec[];
}

export interface SkillServerSpec {
  /** The adapter's namespace. */
  name: string;
  description?: string;
  auth?: InboundAuth;
  /** Browser origins allowed besides http(s)://localhost, 127.0.0.1 and [::1] on any port. */
  allowedOrigins?: string[];
  skills: SkillSpec[];
}

export interface SkillHandlerOptions {
  /** Where inbound-auth values are read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Largest file served, and largest total a download archives; defaults 1 MiB and 16 MiB. */
  maxFileBytes?: number;
  maxDownloadBytes?: number;
}

const DEFAULT_MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024;

const ROUTE = /^\/skills\/([^/]+)(?:\/(contents|download)(?:\/(.+))?)?$/;

export function createSkillHandler(
  spec: SkillServerSpec,
  options: SkillHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const env =
    options.env ??
    (globalThis as { process?: { env?: Record<string, string> } }).process?.env ??
    {};
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxDownloadBytes = options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const originAllowed = originChecker(spec.allowedOrigins ?? []);
  const skills = new Map(spec.skills.map((skill) => [skill.name, skill]));
  const catalog = {
    count: spec.skills.length,
    skills: spec.skills.map((skill) => ({
      name: skill.name,
      description: skill.description,
      ...(skill.license !== undefined ? { license: skill.license } : {}),
      tools: skill.tools.map((tool) => tool.name),
    })),
  };
  const authenticate = authenticator(spec.auth, env);

  return async (request) => {
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return withAllow(
        error(
          405,
          'method_not_allowed',
          `${request.method} is not served here; the catalog is read-only`,
        ),
      );
    if (url.pathname === '/healthz') return json(200, { status: 'ok', name: spec.name });
    const origin = request.headers.get('origin');
    if (origin !== null && !originAllowed(origin))
      return error(403, 'forbidden', `Origin ${origin} is not allowed`);
    const denied = await authenticate(request, url);
    if (denied) return denied;
    if (url.pathname === '/skills' || url.pathname === '/skills/') return json(200, catalog);
    const match = ROUTE.exec(url.pathname);
    if (!match) return error(404, 'not_found', `No route for ${url.pathname}`);
    const name = decodePart(match[1]);
    const skill = name === undefined ? undefined : skills.get(name);
    if (!skill) return error(404, 'not_found', `Skill not found: ${name ?? match[1]}`);
    if (!match[2]) return json(200, detail(skill) as JsonValue);
    if (!skill.location)
      return error(404, 'not_found', `No location configured for skill: ${skill.name}`);
    const root = fileUriPath(skill.location);
    try {
      if (match[2] === 'download')
        return await download(skill, root, maxFileBytes, maxDownloadBytes);
      if (match[3] === undefined) {
        const { files } = await listFiles(root);
        return json(200, {
          name: skill.name,
          files: files.map((f) => ({
            path: f.path,
            size: f.size,
            type: mimeTypeOf(f.path) ?? 'application/octet-stream',
          })),
        });
      }
      const segments = match[3].split('/').map(decodePart);
      if (segments.some((s) => s === undefined || !isSafeSegment(s)))
        return error(
          400,
          'invalid_path',
          `Unsafe path: ${match[3]} (letters, digits, '.', '_' and '-' only; no '..', no dot files)`,
        );
      const bytes = await readUnder(root, segments as string[], maxFileBytes);
      return new Response(bytes as Uint8Array<ArrayBuffer>, {
        status: 200,
        headers: { 'content-type': mediaType(match[3]), 'x-content-type-options': 'nosniff' },
      });
    } catch (failure) {
      return fileError(failure, skill.name);
    }
  };
}

function detail(skill: SkillSpec): Record<string, unknown> {
  const optional = <K extends keyof SkillSpec>(key: K) =>
    skill[key] !== undefined ? { [key]: skill[key] as JsonValue } : {};
  return {
    name: skill.name,
    description: skill.description,
    ...optional('license'),
    ...optional('compatibility'),
    ...optional('argument-hint'),
    ...optional('allowed-tools'),
    ...optional('user-invocable'),
    ...optional('disable-model-invocation'),
    ...(skill.metadata && Object.keys(skill.metadata).length ? { metadata: skill.metadata } : {}),
    tools: skill.tools.map((tool) =>
      'from' in tool
        ? {
            name: tool.name,
            description: tool.description,
            type: 'derived',
            invocationRef: {
              targetNamespace: tool.from.sourceNamespace,
              action: tool.from.action,
              mode: tool.mode,
            },
          }
        : {
            name: tool.name,
            description: tool.description,
            type: 'instruction',
            instruction: tool.instruction,
          },
    ),
  };
}

async function download(
  skill: SkillSpec,
  root: string,
  maxFileBytes: number,
  maxDownloadBytes: number,
): Promise<Response> {
  const { files } = await listFiles(root);
  let total = 0;
  const entries: Record<string, Uint8Array> = {};
  for (const file of files) {
    total += file.size;
    if (total > maxDownloadBytes)
      return error(
        413,
        'too_large',
        `The folder of skill ${skill.name} holds more than ${maxDownloadBytes} bytes`,
      );
    entries[file.path] = await readUnder(root, file.path.split('/'), maxFileBytes);
  }
  // Fixed times, so the same folder always gives the same archive.
  const archive = zipSync(entries, { level: 6, mtime: new Date('1980-01-01T00:00:00Z') });
  return new Response(archive, {
    status: 200,
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${skill.name}.zip"`,
    },
  });
}

function fileError(failure: unknown, skill: string): Response {
  if (!(failure instanceof FileAccessError)) throw failure;
  if (failure.reason === 'not-found')
    return error(404, 'not_found', `Not found in skill ${skill}: ${failure.message}`);
  if (failure.reason === 'too-large')
    return error(413, 'too_large', `Not served: ${failure.message}`);
  if (failure.reason === 'unavailable') return error(501, 'unavailable', failure.message);
  return error(400, 'invalid_path', `Not served: ${failure.message}`);
}

function decodePart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function mediaType(path: string): string {
  const type = mimeTypeOf(path) ?? 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

function authenticator(
  auth: InboundAuth | undefined,
  env: Record<string, string | undefined>,
): (request: Request, url: URL) => Response | undefined | Promise<Response | undefined> {
  if (!auth || auth.type === 'none') return () => undefined;
  if (auth.type === 'oauth2')
    return (request) =>
      checkOAuth2(auth, request.headers.get('authorization') ?? undefined, env).then(refused);
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected)
    throw new Error(
      `Skill catalog inbound authentication: set environment variable ${expected.missing.join(', ')} (the ${expected.what})`,
    );
  if (expected.type === 'digest')
    return (request, url) => refused(checkDigestRequest(expected, request, url, 'skills'));
  return (request, url) => {
    const presented = {
      header: (name: string) => request.headers.get(name) ?? undefined,
      query: (name: string) => url.searchParams.get(name) ?? undefined,
    };
    if (credentialsMatch(expected, presented)) return undefined;
    return refused({
      status: 401,
      message: `Missing or invalid credentials (${expected.type})`,
      ...(expected.type !== 'apikey'
        ? { challenge: `${expected.type === 'bearer' ? 'Bearer' : 'Basic'} realm="skills"` }
        : {}),
    });
  };
}

function refused(refusal: Refusal | undefined): Response | undefined {
  if (refusal === undefined) return undefined;
  const code =
    refusal.status === 403 ? 'forbidden' : refusal.status === 500 ? 'api_error' : 'unauthorized';
  const response = error(refusal.status, code, refusal.message);
  if (refusal.challenge) response.headers.set('www-authenticate', refusal.challenge);
  return response;
}

function json(status: number, body: JsonValue): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function error(status: number, code: string, message: string): Response {
  return json(status, { error: code, message });
}

function withAllow(response: Response): Response {
  response.headers.set('allow', 'GET, HEAD');
  return response;
}

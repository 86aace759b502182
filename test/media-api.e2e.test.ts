/**
 * Issue 13's behaviours on an API that is not Stripe (test/fixtures/media-api: JSON, an API key in
 * a header, uploads on another host, multipart uploads, binary downloads), so nothing of them
 * rests on Stripe's conventions: the placeholder named like an input, authentication from the
 * OpenAPI document when the capability declares none (and an explicit key refused when there is
 * none to put it in), multipart uploads through client, REST and MCP, operation-level servers,
 * binary answers, the document tie-break and the regenerate command in the headers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../generator/pipeline.ts';
import { loadGenerated, mcpClient, postJson, restHandler } from './helpers/generated-e2e.ts';
import { cli } from './helpers/import.ts';
import { upstreamRecorder, withoutBoundary, type Recorded } from './helpers/surfaces.ts';
import { PROJECT_ROOT as ROOT } from './helpers/ts-project.ts';

const FIXTURE = path.join(ROOT, 'test/fixtures/media-api');
const KEY = 'media_key_0123456789abcdef';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);

const upstream = upstreamRecorder();
const answer = (req: Recorded) =>
  req.url.pathname.endsWith('/content')
    ? new HttpResponse(PNG, { headers: { 'content-type': 'image/png' } })
    : HttpResponse.json({ id: 'img_1', caption: 'c', bytes: 13 }, { status: 201 });

/** A project with the fixture's files under specs/ (plus `extra` files), in the repository. */
function project(name: string, extra: Record<string, string> = {}): string {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', `media-${name}-`));
  fs.cpSync(FIXTURE, path.join(dir, 'specs'), { recursive: true });
  for (const [file, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const capgen = cli;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a non-Stripe API (Media API) through client, REST and MCP', () => {
  let dir: string;
  let out: string;
  let client: Record<string, (params?: object) => Promise<unknown>>;
  let mcp: Client;
  const upload = {
    caption: 'A "red" square',
    tags: ['red', 'square'],
    image: { data: PNG, name: 'square.png', type: 'image/png' },
  };
  /** The multipart body of `upload`, as the HTML standard's FormData encodes it (boundary aside). */
  const EXPECTED_BODY =
    '--BOUNDARY\r\nContent-Disposition: form-data; name="caption"\r\n\r\nA "red" square\r\n' +
    '--BOUNDARY\r\nContent-Disposition: form-data; name="tags[0]"\r\n\r\nred\r\n' +
    '--BOUNDARY\r\nContent-Disposition: form-data; name="tags[1]"\r\n\r\nsquare\r\n' +
    '--BOUNDARY\r\nContent-Disposition: form-data; name="image"; filename="square.png"\r\n' +
    `Content-Type: image/png\r\n\r\n${Buffer.from(PNG).toString('latin1')}\r\n--BOUNDARY--\r\n`;

  beforeAll(async () => {
    dir = project('e2e');
    dirs.push(dir);
    const run = await capgen(dir, 'generate', '--strict');
    expect(run.code, run.stderr).toBe(0);
    out = path.join(dir, 'generated');
    process.env.MEDIA_API_KEY = KEY;
    const module = await loadGenerated<{ createImagesClient(): typeof client }>(
      path.join(out, 'images/client.ts'),
    );
    client = module.createImagesClient();
    mcp = await mcpClient(path.join(out, 'images/mcp.ts'));
    upstream.listen();
  }, 120_000);
  afterAll(async () => {
    upstream.close();
    await mcp?.close();
    delete process.env.MEDIA_API_KEY;
  });

  it('client: the upload goes to the operation’s own host as multipart, with the API key the OpenAPI scheme names', async () => {
    upstream.reset(answer);
    expect(await client.postImages({ body: upload })).toEqual({
      id: 'img_1',
      caption: 'c',
      bytes: 13,
    });
    const sent = upstream.only();
    expect(sent.url.href).toBe('https://upload.media.test/v2/images');
    expect(sent.headers.get('x-api-key')).toBe(KEY);
    expect(sent.headers.get('content-length')).toBe(String(sent.bytes.byteLength));
    expect(withoutBoundary(sent)).toBe(EXPECTED_BODY);
  });

  it('client: a binary answer is its bytes and media type', async () => {
    upstream.reset(answer);
    expect(await client.getImagesImageIdContent({ image_id: 'img_1' })).toEqual({
      contentType: 'image/png',
      bytes: PNG,
    });
    expect(upstream.only().url.href).toBe('https://api.media.test/v2/images/img_1/content');
  });

  it('REST: base64 in JSON is the same multipart upstream; the binary answer passes through; {image-id} is image_id', async () => {
    const handler = await restHandler(path.join(out, 'images/rest.ts'));
    upstream.reset(answer);
    const created = await handler(
      postJson('http://adapter.test/images', {
        ...upload,
        image: { data: Buffer.from(PNG).toString('base64'), name: 'square.png', type: 'image/png' },
      }),
    );
    expect(created.status).toBe(201);
    expect(withoutBoundary(upstream.only())).toBe(EXPECTED_BODY);
    upstream.reset(answer);
    const image = await handler(new Request('http://adapter.test/images/img_1/content'));
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
    expect(upstream.only().url.pathname).toBe('/v2/images/img_1/content');

    // A binary answer larger than the client's maxResponseBytes is refused: 502, nothing passed on.
    const { createHandler } = await loadGenerated<{
      createHandler(o: object): (r: Request) => Promise<Response>;
    }>(path.join(out, 'images/rest.ts'));
    upstream.reset(answer);
    const refused = await createHandler({ maxRetries: 0, maxResponseBytes: PNG.length - 1 })(
      new Request('http://adapter.test/images/img_1/content'),
    );
    expect(refused.status).toBe(502);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.text()).toContain('larger than');
  });

  it('MCP: the upload tool takes base64; the download tool returns an embedded resource, refused past the size limit', async () => {
    upstream.reset(answer);
    const result = await mcp.callTool({
      name: 'upload-image',
      arguments: {
        body: {
          ...upload,
          image: {
            data: Buffer.from(PNG).toString('base64'),
            name: 'square.png',
            type: 'image/png',
          },
        },
      },
    });
    expect(result.isError).toBeFalsy();
    expect(withoutBoundary(upstream.only())).toBe(EXPECTED_BODY);

    upstream.reset(answer);
    const image = await mcp.callTool({ name: 'download-image', arguments: { image_id: 'img_1' } });
    expect((image.content as unknown[])[1]).toEqual({
      type: 'resource',
      resource: {
        uri: 'capgen://images-mcp/tools/download-image/result',
        mimeType: 'image/png',
        blob: Buffer.from(PNG).toString('base64'),
      },
    });

    upstream.reset(answer);
    const notBase64 = await mcp.callTool({
      name: 'upload-image',
      arguments: { body: { caption: 'c', image: { data: '%%%' } } },
    });
    expect(notBase64.isError).toBe(true);
    expect((notBase64.content as Array<{ text: string }>)[0].text).toBe(
      "The arguments for tool upload-image cannot form an upstream request: Invalid image.data: not base64 (standard alphabet, padded with '=').\nFix the arguments and call the tool again.",
    );
    expect(upstream.seen).toHaveLength(0);

    const big = new Uint8Array(4 * 1024 * 1024 + 1);
    upstream.reset(() => new HttpResponse(big, { headers: { 'content-type': 'image/png' } }));
    const refused = await mcp.callTool({
      name: 'download-image',
      arguments: { image_id: 'img_1' },
    });
    expect(refused.isError).toBe(true);
    expect((refused.content as Array<{ text: string }>)[0].text).toBe(
      'The answer of download-image (image/png, 4194305 bytes) is larger than the 4194304-byte limit for tool results (maxBinaryResultBytes).',
    );
  });

  it('MCP: a resource calling the download is its bytes, as a blob with their media type', async () => {
    upstream.reset(answer);
    const read = await mcp.readResource({ uri: 'media://images/img_1/content' });
    expect(read.contents).toEqual([
      {
        uri: 'media://images/img_1/content',
        mimeType: 'image/png',
        blob: Buffer.from(PNG).toString('base64'),
      },
    ]);
    expect(upstream.only().url.href).toBe('https://api.media.test/v2/images/img_1/content');
  });
});

describe('authentication when the capability declares none', () => {
  it('without an OpenAPI document: a warning, and an explicit apiKey is refused, not ignored', async () => {
    const dir = project('no-openapi');
    dirs.push(dir);
    fs.rmSync(path.join(dir, 'specs/media.openapi.yaml'));
    const run = await capgen(dir, 'generate');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "specs/images.yaml:16:16  warning  capgen/no-authentication  'media' declares no authentication although binds name MEDIA_API_KEY: its calls go without credentials (no OpenAPI document of the API says how to send it)\n" +
        "    hint: add to the consumes entry: authentication: { type: bearer, token: '{{env.MEDIA_API_KEY}}' } (or apikey, basic)",
    );
    const { createImagesClient } = await loadGenerated<{ createImagesClient(o?: object): unknown }>(
      path.join(dir, 'generated/images/client.ts'),
    );
    expect(() => createImagesClient()).not.toThrow();
    expect(() => createImagesClient({ apiKey: 'k' })).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message:
          'The apiKey option was given, but "media" takes no credentials: the capability declares no authentication, so the key would not be sent.',
      }),
    );
  }, 60_000);

  it('an adapter’s inbound secret is never taken for the upstream credential', async () => {
    const dir = project('inbound');
    dirs.push(dir);
    const file = path.join(dir, 'specs/images.yaml');
    const inbound = (text: string) =>
      text.replace(
        '    namespace: images-rest\n',
        "    namespace: images-rest\n    authentication:\n      type: bearer\n      token: '{{env.IMAGES_ADAPTER_TOKEN}}'\n",
      );
    const original = fs.readFileSync(file, 'utf8');
    // Both in binds: the one no template reads is the upstream's.
    fs.writeFileSync(
      file,
      inbound(original).replace(
        '    MEDIA_API_KEY: MEDIA_API_KEY\n',
        '    MEDIA_API_KEY: MEDIA_API_KEY\n    IMAGES_ADAPTER_TOKEN: IMAGES_ADAPTER_TOKEN\n',
      ),
    );
    const both = await runPipeline(dir, {}, { emit: false });
    expect(both.project!.capabilities[0].apis[0].spec.auth).toEqual({
      type: 'apikey',
      key: 'X-Api-Key',
      value: [{ env: 'MEDIA_API_KEY' }],
      placement: 'header',
    });
    // Only the adapter's token in binds: nothing is sent upstream, nothing said.
    fs.writeFileSync(
      file,
      inbound(original).replace(
        '    MEDIA_API_KEY: MEDIA_API_KEY\n',
        '    IMAGES_ADAPTER_TOKEN: IMAGES_ADAPTER_TOKEN\n',
      ),
    );
    const inboundOnly = await runPipeline(dir, {}, { emit: false });
    expect(inboundOnly.project!.capabilities[0].apis[0].spec.auth).toEqual({ type: 'none' });
    expect(inboundOnly.bag.items.filter((d) => /authentication|auth-from/.test(d.rule))).toEqual(
      [],
    );
  });
});

describe('which document wins an operation several describe (item 8)', () => {
  /** The media document with one more path: larger, and resolving as completely. */
  const larger = fs
    .readFileSync(path.join(FIXTURE, 'media.openapi.yaml'), 'utf8')
    .replace(
      'paths:\n',
      'paths:\n  /health:\n    get:\n      responses:\n        "200": {description: ok}\n',
    );

  const winner = async (dir: string, flags: { openapi?: string[] } = {}) => {
    const result = await runPipeline(dir, flags, { emit: false });
    const op = result.project!.capabilities[0].operations.find(
      (o) => o.methodName === 'getImagesImageId',
    );
    return op!.openapi!.source;
  };

  it('on a tie in unresolved $refs, the larger document, wherever it is listed', async () => {
    const dir = project('larger', { 'specs/a-larger.openapi.yaml': larger });
    dirs.push(dir);
    expect(await winner(dir)).toBe('specs/a-larger.openapi.yaml');
    const verbose = await capgen(dir, 'validate', '--verbose');
    expect(verbose.stderr).toContain(
      'openapi/document-choice  GET /images/{image_id} is in 2 OpenAPI documents; specs/a-larger.openapi.yaml was chosen (every $ref resolved) over specs/media.openapi.yaml (every $ref resolved)',
    );
    expect((await capgen(dir, 'validate')).stderr).not.toContain('openapi/document-choice');
  });

  it('between documents alike, the one listed later', async () => {
    const copy = fs.readFileSync(path.join(FIXTURE, 'media.openapi.yaml'), 'utf8');
    const dir = project('later', { 'vendor/copy.openapi.yaml': copy });
    dirs.push(dir);
    expect(await winner(dir, { openapi: ['vendor/copy.openapi.yaml'] })).toBe(
      'vendor/copy.openapi.yaml',
    );
    fs.writeFileSync(
      path.join(dir, 'capgen.config.yaml'),
      'openapi: [vendor/copy.openapi.yaml, specs/media.openapi.yaml]\ncapabilities: [specs/images.yaml]\n',
    );
    expect(await winner(dir)).toBe('specs/media.openapi.yaml');
  });
});

describe('generated headers (item 12)', () => {
  it('name the sources from the project root and the command with the options of the run', async () => {
    const dir = project('headers');
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'vendor'));
    fs.renameSync(
      path.join(dir, 'specs/media.openapi.yaml'),
      path.join(dir, 'vendor/media.openapi.yaml'),
    );
    const args = ['--openapi', 'vendor/media.openapi.yaml', '--out', 'build/gen'];
    expect((await capgen(dir, 'generate', ...args)).code).toBe(0);
    const client = fs.readFileSync(path.join(dir, 'build/gen/images/client.ts'), 'utf8');
    expect(client).toContain(
      ' * Generated by capgen from specs/images.yaml, vendor/media.openapi.yaml.\n' +
        ' * Do not edit: changes are overwritten. Regenerate with `npx capgen generate --openapi vendor/media.openapi.yaml --out build/gen`.',
    );
    const readme = fs.readFileSync(path.join(dir, 'build/gen/images/README.md'), 'utf8');
    expect(readme.split('\n')[0]).toBe(
      '<!-- Generated by capgen from specs/images.yaml. Do not edit; regenerate with the command below. -->',
    );
    expect(readme).toContain(
      'with types from `vendor/media.openapi.yaml`. Regenerate with `npx capgen generate --openapi vendor/media.openapi.yaml --out build/gen`.',
    );
    // The command it names regenerates the same bytes: no drift.
    expect((await capgen(dir, 'generate', '--check', ...args)).code).toBe(0);

    fs.writeFileSync(
      path.join(dir, 'capgen.config.yaml'),
      'openapi: [vendor/media.openapi.yaml]\nout: build/gen\n',
    );
    expect((await capgen(dir, 'generate')).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'build/gen/runtime/client.ts'), 'utf8')).toContain(
      'Regenerate with `npx capgen generate (settings: capgen.config.yaml)`.',
    );
  }, 60_000);
});

describe('output mappings and steps on a binary answer', () => {
  it('are a warning at the mapping or step: the bytes pass through; a step fails naming itself', async () => {
    const dir = project('binary-output');
    dirs.push(dir);
    const file = path.join(dir, 'specs/images.yaml');
    const steps = [
      '    - name: image-content-steps',
      '      description: Downloads an image through a step.',
      '      inputParameters:',
      '      - name: image_id',
      '        type: string',
      '        description: The image.',
      '        required: true',
      '      steps:',
      '      - name: content',
      '        type: call',
      '        call: media.download-image',
      '        with:',
      '          image_id: images-mcp.image_id',
      '    resources:',
      '    - name: image-content',
      '',
    ].join('\n');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(
          '      call: media.download-image\n      with:\n        image_id: tools.image_id\n',
          '      call: media.download-image\n      with:\n        image_id: tools.image_id\n      outputParameters:\n      - type: string\n        mapping: $.id\n',
        )
        .replace('    resources:\n    - name: image-content\n', steps),
    );
    const run = await capgen(dir, 'generate');
    expect(run.code, run.stderr).toBe(0);
    const result = await runPipeline(dir, {}, { emit: false });
    expect(
      result.bag.items
        .filter((d) => d.rule === 'capgen/binary-output')
        .map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`),
    ).toEqual([
      "specs/images.yaml:82:7 'media.download-image' answers with bytes (its OpenAPI response is binary): the output mapping cannot apply, the answer passes through as it is",
      "specs/images.yaml:95:15 'media.download-image' answers with bytes (its OpenAPI response is binary): steps read JSON, so this step fails when it runs",
    ]);

    process.env.MEDIA_API_KEY = KEY;
    const mcp = await mcpClient(path.join(dir, 'generated/images/mcp.ts'));
    upstream.listen();
    try {
      upstream.reset(answer);
      const mapped = await mcp.callTool({ name: 'download-image', arguments: { image_id: 'i' } });
      expect((mapped.content as Array<{ resource?: { blob: string } }>)[1].resource?.blob).toBe(
        Buffer.from(PNG).toString('base64'),
      );
      upstream.reset(answer);
      const stepped = await mcp.callTool({
        name: 'image-content-steps',
        arguments: { image_id: 'img_1' },
      });
      expect(stepped.isError).toBe(true);
      expect((stepped.content as Array<{ text: string }>)[0].text).toBe(
        "Tool image-content-steps could not complete: step 'content' of tool image-content-steps: the upstream answered with bytes (image/png), which steps cannot read",
      );
    } finally {
      upstream.close();
      await mcp.close();
      delete process.env.MEDIA_API_KEY;
    }
  });
});

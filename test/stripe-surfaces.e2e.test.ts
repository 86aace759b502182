/**
 * Issue 13: capability files for Stripe surfaces other than the three of specs/ (customers, files,
 * quotes, credit notes, accounts, invoice items: test/fixtures/stripe-surfaces), generated with
 * Stripe's full spec in a project whose files live in subfolders, then called through the typed
 * client, the REST adapter and the MCP server with Stripe mocked by msw. The official `stripe`
 * package is the oracle: the same call through it must reach Stripe with the same method, host,
 * path, query, headers and body bytes (multipart bodies: but for their boundary).
 *
 * Skipped with a notice when ../shared/stripe/spec3.json is absent.
 */
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { HttpResponse } from 'msw';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGenerated, mcpClient, postJson, restHandler } from './helpers/generated-e2e.ts';
import {
  comparableHeaders,
  generateSurfaces,
  HAS_SPEC3,
  upstreamRecorder,
  withoutBoundary,
  type Recorded,
  type SurfaceProject,
} from './helpers/surfaces.ts';

if (!HAS_SPEC3)
  console.warn('[stripe-surfaces] ../shared/stripe/spec3.json not found: skipping these tests.');

const KEY = 'sk_test_51CapgenSurfacesKey0123456789abcdef';
const PDF = new Uint8Array([
  ...new TextEncoder().encode('%PDF-1.4\n%'),
  0xe2,
  0xe3,
  0xcf,
  0xd3,
  0x0d,
  0x0a,
  0x00,
  0xff,
  ...new TextEncoder().encode('\n%%EOF\n'),
]);
const UPLOAD = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x7f]);

const upstream = upstreamRecorder();
const stripe = new Stripe(KEY, { maxNetworkRetries: 0, telemetry: false });

type Method = (params?: object) => Promise<unknown>;
type Clients = Record<string, Record<string, Method>>;

/** The same request through both, side by side: what each sent to Stripe. */
async function bothWays(
  ours: () => Promise<unknown>,
  theirs: () => Promise<unknown>,
): Promise<{ ours: Recorded; theirs: Recorded; result: unknown }> {
  upstream.reset(respondWith);
  const result = await ours();
  const a = upstream.only();
  upstream.reset(respondWith);
  await theirs();
  return { ours: a, theirs: upstream.only(), result };
}

/** What "Stripe" answers: a PDF for the quote PDF, else a JSON object naming the path. */
function respondWith(req: Recorded): Response {
  if (req.url.pathname.endsWith('/pdf'))
    return new HttpResponse(PDF, {
      headers: { 'content-type': 'application/pdf', 'request-id': 'req_pdf' },
    });
  return HttpResponse.json({ id: 'obj_1', path: req.url.pathname });
}

function sameRequest(ours: Recorded, theirs: Recorded): void {
  expect(ours.method).toBe(theirs.method);
  expect(ours.url.href).toBe(theirs.url.href);
  expect(comparableHeaders(ours)).toEqual(comparableHeaders(theirs));
  if (ours.headers.get('content-type')?.startsWith('multipart/'))
    expect(withoutBoundary(ours)).toBe(withoutBoundary(theirs));
  else expect(Buffer.from(ours.bytes).equals(Buffer.from(theirs.bytes))).toBe(true);
}

describe.skipIf(!HAS_SPEC3)('Stripe surfaces beyond specs/, end to end', () => {
  let project: SurfaceProject;
  let clients: Clients;
  const file = (capability: string, name: string) => path.join(project.out, capability, name);

  beforeAll(async () => {
    project = await generateSurfaces('surfaces-e2e');
    clients = {};
    for (const [id, factory] of [
      ['customers', 'createCustomersClient'],
      ['files', 'createFilesClient'],
      ['quotes', 'createQuotesClient'],
      ['credit-notes', 'createCreditNotesClient'],
      ['accounts', 'createAccountsClient'],
    ])
      clients[id] = (
        await loadGenerated<Record<string, () => Clients[string]>>(file(id, 'client.ts'))
      )[factory]();
    upstream.listen();
  }, 180_000);
  afterAll(() => {
    upstream.close();
    project?.remove();
  });
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.STRIPE_API_KEY;
    process.env.STRIPE_API_KEY = KEY;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.STRIPE_API_KEY;
    else process.env.STRIPE_API_KEY = saved;
  });

  it('generates the six capabilities found in specs/ subfolders (item 11), with spec3.json matched', () => {
    expect(project.code, project.stderr).toBe(0);
    expect(project.stdout).toMatch(/6 capabilities → generated\//);
    expect(project.stderr).toMatch(/^0 errors, \d+ warning\(s\), \d+ info\(s\)$/m);
    for (const id of ['accounts', 'credit-notes', 'customers', 'files', 'invoice-items', 'quotes'])
      expect(project.stdout + project.stderr).not.toMatch(new RegExp(`${id}.*no-match.*files`));
  });

  describe('generation (capgen generate --verbose)', () => {
    /** The diagnostic lines of one rule, `file:line:col  severity  message` without the rule. */
    const lines = (rule: string) =>
      project.stderr
        .split('\n')
        .filter((l) => l.includes(`  ${rule}  `))
        .map((l) => l.replace(`  ${rule}  `, '  '));

    it('item 1: the placeholder named like an input is bound to it, said as an info at the route', () => {
      expect(lines('capgen/path-param-alias')).toEqual([
        "specs/capabilities/customers.yaml:75:9  info  path placeholder '{payment-method}' is the input 'payment_method' that 'with' passes to 'customers.getcustomerspaymentmethod' (the names differ only by '-' and '_')",
      ]);
      expect(lines('capgen/unused-path-param')).toEqual([]);
    });

    it('item 2: no authentication, a key in binds: the OpenAPI scheme is taken and said', () => {
      expect(lines('capgen/auth-from-openapi')).toEqual([
        "specs/capabilities/accounts.yaml:17:16  info  'accounts' declares no authentication: STRIPE_API_KEY is sent as a bearer token (Authorization: Bearer), as the security scheme 'bearerAuth' of specs/openapi/spec3.json says",
      ]);
    });

    it('item 5: the upload is said to go to the files host', () => {
      expect(lines('openapi/operation-server')).toEqual([
        'specs/capabilities/files.yaml:24:15  info  POST /v1/files is served on https://files.stripe.com (the servers of its OpenAPI operation): the client calls it there',
      ]);
    });

    it('item 7: a parameter the matched operation lacks is a warning naming the document and its API version', () => {
      expect(lines('openapi/unknown-param')).toEqual([
        "specs/capabilities/credit-notes.yaml:33:17  warning  query parameter 'created' of GET /v1/credit_notes is not a parameter of GET /v1/credit_notes of specs/openapi/spec3.json (API version 2023-08-16); it is sent as declared",
      ]);
    });

    it('item 8: the full spec wins over a fragment listed before it whose reachable schemas do not resolve, said with --verbose', async () => {
      expect(lines('openapi/document-choice')).toEqual([
        'specs/capabilities/customers.yaml:24:15  info  GET /v1/customers/{customer}/payment_methods/{payment_method} is in 2 OpenAPI documents; specs/openapi/spec3.json was chosen (every $ref resolved) over specs/openapi/2023-10-16-customers.openapi.yaml (1 $ref(s) that do not resolve)',
      ]);
      const types = await import('node:fs').then((fs) =>
        fs.readFileSync(path.join(project.out, 'types/stripe.ts'), 'utf8'),
      );
      // spec3's payment_method (the fragment's slim copy has no billing_details), and the
      // fragment's own customer_session.
      expect(types).toMatch(/export interface PaymentMethod \{[^}]*billing_details: /);
      expect(types).toMatch(/export interface CustomerSession \{/);
    });

    it('item 9: one Stripe-Version for the whole API, with a warning where operations come from another version', async () => {
      expect(lines('openapi/mixed-versions')).toEqual([
        "specs/capabilities/customers.yaml:18:14  warning  operations of 'customers' come from OpenAPI documents of different API versions (2023-10-16: specs/openapi/2023-10-16-customers.openapi.yaml; 2023-08-16: specs/openapi/spec3.json); every request sends Stripe-Version 2023-08-16, the version of specs/openapi/spec3.json, the API's preferred document",
      ]);
      for (const id of ['customers', 'files', 'quotes', 'credit-notes', 'accounts']) {
        const text = await import('node:fs').then((fs) =>
          fs.readFileSync(file(id, 'client.ts'), 'utf8'),
        );
        expect(text, id).toContain("version: { header: 'Stripe-Version', value: '2023-08-16' }");
      }
      upstream.reset(respondWith);
      await clients.customers.postCustomerSessions({ body: { customer: 'cus_1' } });
      expect(upstream.only().headers.get('stripe-version')).toBe('2023-08-16');
    });

    it('item 10: a path with a space is a positioned warning, and the no-match hint names the path meant', () => {
      expect(lines('capgen/invalid-path')).toEqual([
        "specs/capabilities/invoice-items.yaml:22:13  warning  '/v1/Invoice Items' is not a valid URL path template: it contains a space",
      ]);
      const noMatch = project.stderr.split('\n');
      const at = noMatch.findIndex((l) => l.includes('openapi/no-match'));
      expect(noMatch[at]).toMatch(/^specs\/capabilities\/invoice-items\.yaml:24:15 /);
      expect(noMatch[at + 1]).toBe(
        "    hint: did you mean GET /v1/invoiceitems? (an OpenAPI path of this API that differs in case, spaces, '-' or '_')",
      );
    });

    it('item 12: headers name the sources from the project root, and the command', async () => {
      const text = await import('node:fs').then((fs) =>
        fs.readFileSync(file('files', 'client.ts'), 'utf8'),
      );
      expect(text).toContain(
        ' * Generated by capgen from specs/capabilities/files.yaml, specs/openapi/spec3.json.\n * Do not edit: changes are overwritten. Regenerate with `npx capgen generate`.',
      );
    });

    it('item 13: servers that share a port are an info at each port', () => {
      expect(lines('capgen/port-conflict')).toEqual([
        'specs/capabilities/accounts.yaml:55:11  info  the REST adapter accounts-rest listens on port 8084, like the REST adapter credit-notes-rest (specs/capabilities/credit-notes.yaml): they cannot run at the same time',
        'specs/capabilities/credit-notes.yaml:68:11  info  the REST adapter credit-notes-rest listens on port 8084, like the REST adapter accounts-rest (specs/capabilities/accounts.yaml): they cannot run at the same time',
      ]);
    });

    it('item 13: at start, the second server on a port names the flag and the variable that move it', async () => {
      const first = await loadGenerated<{
        main(a: object): Promise<{ url: string; close(): Promise<void> }>;
      }>(file('accounts', 'rest.ts'));
      const second = await loadGenerated<{ main(a: object): Promise<unknown> }>(
        file('credit-notes', 'rest.ts'),
      );
      const running = await first.main({ port: 0, address: '127.0.0.1' });
      try {
        const port = Number(new URL(running.url).port);
        await expect(second.main({ port, address: '127.0.0.1' })).rejects.toMatchObject({
          name: 'ConfigurationError',
          message: `Port ${port} on 127.0.0.1 is already in use.`,
          hint: 'choose another port with --port or CREDIT_NOTES_REST_PORT (0 picks a free one)',
        });
      } finally {
        await running.close();
      }
    });

    it('compiles under strict, with files and binary answers typed', async () => {
      const fs = await import('node:fs');
      fs.writeFileSync(
        path.join(project.out, 'probe.ts'),
        [
          "import { createFilesClient, type BinaryBody, type PostFilesBody } from './files/client.js';",
          "import { createQuotesClient } from './quotes/client.js';",
          'export async function probe(bytes: Uint8Array, blob: Blob) {',
          "  const body: PostFilesBody = { purpose: 'dispute_evidence', file: bytes };",
          '  await createFilesClient().postFiles({ body: { ...body, file: blob } });',
          "  await createFilesClient().postFiles({ body: { ...body, file: { data: bytes, name: 'a.pdf' } } });",
          "  const pdf: BinaryBody = await createQuotesClient().getQuotesQuotePdf({ quote: 'qt_1' });",
          '  return pdf.bytes.byteLength + pdf.contentType.length;',
          '}',
          '// @ts-expect-error a string is no file',
          "export const wrong: PostFilesBody = { purpose: 'dispute_evidence', file: 'data' };",
        ].join('\n'),
      );
      const { check, formatDiagnostics, strictProject } = await import('./helpers/ts-project.ts');
      const ts = strictProject();
      ts.addSourceFilesAtPaths(path.join(project.out, '**/*.ts'));
      const diagnostics = check(ts);
      expect(formatDiagnostics(ts, diagnostics)).toBe('');
    }, 120_000);
  });

  describe('typed client', () => {
    it('item 1: a payment method of a customer, as stripe-node retrieves it', async () => {
      const { ours, theirs } = await bothWays(
        () =>
          clients.customers.getCustomersCustomerPaymentMethodsPaymentMethod({
            customer: 'cus_1',
            payment_method: 'pm_1',
            expand: ['customer'],
          }),
        () => stripe.customers.retrievePaymentMethod('cus_1', 'pm_1', { expand: ['customer'] }),
      );
      sameRequest(ours, theirs);
      expect(ours.url.href).toBe(
        'https://api.stripe.com/v1/customers/cus_1/payment_methods/pm_1?expand[0]=customer',
      );
    });

    const upload = {
      purpose: 'dispute_evidence',
      file: { data: UPLOAD, name: 'receipt "1".png', type: 'image/png' },
      file_link_data: { create: true, metadata: { order: '6735' } },
      expand: ['links'],
    };

    it('items 3 and 5: a file upload is multipart/form-data on files.stripe.com, byte for byte as stripe-node sends it', async () => {
      const { ours, theirs } = await bothWays(
        () => clients.files.postFiles({ body: upload }),
        () => stripe.files.create(upload as unknown as Stripe.FileCreateParams),
      );
      expect(ours.url.origin).toBe('https://files.stripe.com');
      expect(ours.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=\S+$/);
      sameRequest(ours, theirs);
      const text = withoutBoundary(ours);
      expect(text).toContain(
        'Content-Disposition: form-data; name="file"; filename="receipt %221%22.png"\r\nContent-Type: image/png\r\n\r\n',
      );
      expect(text).toContain('name="file_link_data[metadata][order]"\r\n\r\n6735\r\n');
      expect(text).toContain('name="expand[0]"\r\n\r\nlinks\r\n');
    });

    it('item 3: a File, a Blob or bare bytes are file parts too', async () => {
      const asFile = new File([UPLOAD], 'receipt "1".png', { type: 'image/png' });
      upstream.reset(respondWith);
      await clients.files.postFiles({ body: { ...upload, file: asFile } });
      const fromFile = withoutBoundary(upstream.only());
      upstream.reset(respondWith);
      await clients.files.postFiles({ body: upload });
      expect(fromFile).toBe(withoutBoundary(upstream.only()));
      upstream.reset(respondWith);
      await clients.files.postFiles({ body: { purpose: 'dispute_evidence', file: UPLOAD } });
      expect(withoutBoundary(upstream.only())).toContain(
        'name="file"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n',
      );
    });

    it('item 5: an operation without servers of its own stays on the base URI; the baseUri option moves the files host too', async () => {
      upstream.reset(respondWith);
      await clients.files.getFilesFile({ file: 'file_1' });
      expect(upstream.only().url.origin).toBe('https://api.stripe.com');
      const { createFilesClient } = await loadGenerated<{
        createFilesClient(o: object): Clients[string];
      }>(file('files', 'client.ts'));
      upstream.reset(respondWith);
      await createFilesClient({ baseUri: 'https://stripe-emulator.test' }).postFiles({
        body: upload,
      });
      expect(upstream.only().url.href).toBe('https://stripe-emulator.test/v1/files');
    });

    it.each([
      [
        'quotes finalize',
        () => clients.quotes.postQuotesQuoteFinalize({ quote: 'qt_1' }),
        () => stripe.quotes.finalizeQuote('qt_1'),
      ],
      [
        'credit note void',
        () => clients['credit-notes'].postCreditNotesIdVoid({ id: 'cn_1' }),
        () => stripe.creditNotes.voidCreditNote('cn_1'),
      ],
    ])(
      'item 4: a POST without body parameters (%s) sends an empty form with its Content-Type, as stripe-node',
      async (_name, ours, theirs) => {
        const both = await bothWays(ours, theirs);
        sameRequest(both.ours, both.theirs);
        expect(both.ours.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
        expect(both.ours.headers.get('content-length')).toBe('0');
      },
    );

    it('item 6: a quote PDF comes back as bytes with their media type; the request is stripe-node’s but for the host the spec gives', async () => {
      const { ours, theirs, result } = await bothWays(
        () => clients.quotes.getQuotesQuotePdf({ quote: 'qt_1' }),
        () => stripe.quotes.pdf('qt_1'),
      );
      expect(result).toEqual({ contentType: 'application/pdf', bytes: PDF });
      // spec3.json (2023-08-16) serves /v1/quotes/{quote}/pdf on api.stripe.com; stripe-node 23
      // calls files.stripe.com: capgen follows the spec it is given.
      expect(ours.url.origin).toBe('https://api.stripe.com');
      expect(theirs.url.origin).toBe('https://files.stripe.com');
      expect(ours.url.pathname).toBe(theirs.url.pathname);
      expect(ours.url.search).toBe(theirs.url.search);
      expect(comparableHeaders(ours)).toEqual(comparableHeaders(theirs));
      expect(ours.bytes.byteLength).toBe(0);
    });

    it('item 7: a parameter the spec version lacks (created) is still sent, as stripe-node sends it', async () => {
      const params = { created: { gte: 1700000000 }, limit: 3 };
      const { ours, theirs } = await bothWays(
        () => clients['credit-notes'].getCreditNotes(params),
        () => stripe.creditNotes.list(params as Stripe.CreditNoteListParams),
      );
      sameRequest(ours, theirs);
      expect(ours.url.searchParams.get('created[gte]')).toBe('1700000000');
    });

    it('item 2: no authentication declared, the OpenAPI bearer scheme: the key goes as stripe-node sends it', async () => {
      const { ours, theirs } = await bothWays(
        () => clients.accounts.getAccount(),
        () => stripe.accounts.retrieveCurrent(),
      );
      sameRequest(ours, theirs);
      expect(ours.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    });
  });

  describe('REST adapter', () => {
    const call = async (capability: string, request: Request) => {
      upstream.reset(respondWith);
      const response = await (await restHandler(file(capability, 'rest.ts')))(request);
      return { response, sent: upstream.seen.slice() };
    };

    it('item 1: /payment-methods/{payment-method} reads the URL, not ?payment_method=', async () => {
      const { response, sent } = await call(
        'customers',
        new Request(
          'http://adapter.test/v1/customers/cus_1/payment-methods/pm_1?expand[]=customer',
        ),
      );
      expect(response.status).toBe(200);
      upstream.reset(respondWith);
      await stripe.customers.retrievePaymentMethod('cus_1', 'pm_1', { expand: ['customer'] });
      sameRequest(sent[0], upstream.only());
    });

    const base64 = Buffer.from(UPLOAD).toString('base64');
    const restUpload = {
      purpose: 'dispute_evidence',
      file: { data: base64, name: 'receipt "1".png', type: 'image/png' },
      file_link_data: { create: true, metadata: { order: '6735' } },
      expand: ['links'],
    };

    it('item 3: a file as base64 in the JSON body goes upstream as stripe-node’s multipart', async () => {
      const { response, sent } = await call(
        'files',
        postJson('http://adapter.test/v1/files', restUpload),
      );
      expect(response.status).toBe(200);
      upstream.reset(respondWith);
      await stripe.files.create({
        ...restUpload,
        file: { data: UPLOAD, name: 'receipt "1".png', type: 'image/png' },
      } as unknown as Stripe.FileCreateParams);
      sameRequest(sent[0], upstream.only());
    });

    it('item 3: data that is not base64, or a missing file, is a 400 naming it, before any upstream call', async () => {
      for (const [body, param] of [
        [{ ...restUpload, file: { data: 'not base64!' } }, 'file'],
        [{ purpose: 'dispute_evidence' }, 'file'],
        [{ ...restUpload, file: { data: base64, extra: 1 } }, 'file'],
      ] as const) {
        const { response, sent } = await call(
          'files',
          postJson('http://adapter.test/v1/files', body),
        );
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { param: string } }).error.param).toMatch(
          new RegExp(`^${param}`),
        );
        expect(sent).toHaveLength(0);
      }
    });

    it('item 3: an upload body past maxUploadBytes is a 413', async () => {
      const rest = await loadGenerated<{
        REST_ADAPTER: object;
      }>(file('files', 'rest.ts'));
      const { createRestHandler } = await loadGenerated<{
        createRestHandler(spec: object, invoke: unknown): (r: Request) => Promise<Response>;
      }>(path.join(project.out, 'runtime/rest.ts'));
      const { createFilesClient } = await loadGenerated<{
        createFilesClient(o: object): { invoke: unknown };
      }>(file('files', 'client.ts'));
      const handler = createRestHandler(
        { ...rest.REST_ADAPTER, maxUploadBytes: 100 },
        createFilesClient({ maxRetries: 0 }).invoke,
      );
      upstream.reset(respondWith);
      const response = await handler(postJson('http://adapter.test/v1/files', restUpload));
      expect(response.status).toBe(413);
      expect(await response.text()).toMatch(/100-byte limit/);
      expect(upstream.seen).toHaveLength(0);
    });

    it('item 4: POST /v1/quotes/{quote}/finalize without a body sends what stripe-node sends', async () => {
      const { response, sent } = await call(
        'quotes',
        new Request('http://adapter.test/v1/quotes/qt_1/finalize', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        }),
      );
      expect(response.status).toBe(200);
      upstream.reset(respondWith);
      await stripe.quotes.finalizeQuote('qt_1');
      sameRequest(sent[0], upstream.only());
    });

    it('item 6: the PDF passes through with its media type', async () => {
      const { response, sent } = await call(
        'quotes',
        new Request('http://adapter.test/v1/quotes/qt_1/pdf'),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(response.headers.get('x-upstream-request-id')).toBe('req_pdf');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(PDF);
      expect(sent[0].url.href).toBe('https://api.stripe.com/v1/quotes/qt_1/pdf');
    });
  });

  describe('MCP server', () => {
    let mcp: Record<string, Client>;
    beforeAll(async () => {
      mcp = {};
      for (const id of ['customers', 'files', 'quotes'])
        mcp[id] = await mcpClient(file(id, 'mcp.ts'));
    });
    afterAll(async () => {
      for (const client of Object.values(mcp ?? {})) await client.close();
    });
    const callTool = async (capability: string, name: string, args: Record<string, unknown>) => {
      upstream.reset(respondWith);
      const result = await mcp[capability].callTool({ name, arguments: args });
      return { result, sent: upstream.seen.slice() };
    };

    it('item 1: the tool takes payment_method and calls the path stripe-node calls', async () => {
      const { result, sent } = await callTool('customers', 'stripe-get-customer-payment-method', {
        customer: 'cus_1',
        payment_method: 'pm_1',
      });
      expect(result.isError).toBeFalsy();
      upstream.reset(respondWith);
      await stripe.customers.retrievePaymentMethod('cus_1', 'pm_1');
      sameRequest(sent[0], upstream.only());
    });

    it('item 3: a base64 file argument is uploaded as stripe-node uploads it', async () => {
      const { result, sent } = await callTool('files', 'stripe-upload-file', {
        body: {
          purpose: 'identity_document',
          file: { data: Buffer.from(UPLOAD).toString('base64'), name: 'id.png', type: 'image/png' },
        },
      });
      expect(result.isError).toBeFalsy();
      upstream.reset(respondWith);
      await stripe.files.create({
        purpose: 'identity_document',
        file: { data: UPLOAD, name: 'id.png', type: 'image/png' },
      } as unknown as Stripe.FileCreateParams);
      sameRequest(sent[0], upstream.only());
      const listed = await mcp.files.listTools();
      const schema = listed.tools[0].inputSchema as unknown as {
        properties: { body: { properties: { file: { required: string[] } } } };
      };
      expect(schema.properties.body.properties.file.required).toEqual(['data']);
    });

    it('item 4: the finalize tool sends an empty form, as stripe-node', async () => {
      const { sent } = await callTool('quotes', 'stripe-finalize-quote', { quote: 'qt_1' });
      upstream.reset(respondWith);
      await stripe.quotes.finalizeQuote('qt_1');
      sameRequest(sent[0], upstream.only());
    });

    it('item 6: the PDF is an embedded resource (base64) with its media type', async () => {
      const { result } = await callTool('quotes', 'stripe-quote-pdf', { quote: 'qt_1' });
      expect(result.isError).toBeFalsy();
      const content = result.content as Array<Record<string, unknown>>;
      expect(content[0]).toMatchObject({ type: 'text' });
      expect(content[1]).toEqual({
        type: 'resource',
        resource: {
          uri: 'capgen://quotes-mcp/tools/stripe-quote-pdf/result',
          mimeType: 'application/pdf',
          blob: Buffer.from(PDF).toString('base64'),
        },
      });
      expect(result.structuredContent).toBeUndefined();
    });
  });
});

/**
 * End-to-end tests of the generated typed clients (generated/<capability>/client.ts) against a
 * mocked https://api.stripe.com (msw intercepts the runtime's node:http requests).
 *
 * For each of the 13 consumed operations of the three capabilities the test calls the generated
 * method with realistic parameters and checks the exact request that reaches "Stripe" (method,
 * path, decoded query, headers, decoded form body) and that the typed response comes back equal.
 * The official `stripe` package is the oracle: the same call made through it (also intercepted by
 * msw) must produce the same path, the same query pairs and byte-identical form bodies.
 *
 * Response bodies are Stripe's own example objects from ../shared/stripe/fixtures3.json and the
 * request/response example of seed 003, when those files exist (outside the repository); without
 * them the test prints a notice and uses hand-written objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  MissingCredentialsError,
  createCheckoutSessionsClient,
  type GetCheckoutSessionsItem,
  type PostCheckoutSessionsBody,
} from '../generated/checkout-sessions/client.ts';
import {
  createIdentitySessionsClient,
  type PostIdentityVerificationSessionsBody,
} from '../generated/identity-sessions/client.ts';
import {
  createLinkAccountSessionsClient,
  type PostLinkAccountSessionsBody,
} from '../generated/link-account-sessions/client.ts';
import { ParameterError } from '../generated/runtime/errors.ts';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const SHARED = path.resolve(ROOT, '../shared');
const KEY = 'sk_test_51CapgenE2eSecretKey0123456789abcdef';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------
// Stripe example objects (fixtures3.json, seed 003) or hand-written stand-ins

type Json = Record<string, unknown>;

const HAND_WRITTEN = {
  checkoutSession: {
    id: 'cs_test_a1b2c3d4e5f6',
    object: 'checkout.session',
    amount_subtotal: 2000,
    amount_total: 2000,
    cancel_url: 'https://example.com/cancel',
    created: 1234567890,
    currency: 'usd',
    customer: null,
    livemode: false,
    metadata: {},
    mode: 'payment',
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    status: 'open',
    success_url: 'https://example.com/success',
    url: 'https://checkout.stripe.com/c/pay/cs_test_a1b2c3d4e5f6',
  },
  lineItem: {
    id: 'li_1NnmXAGPxmnHQRkJCYkJCbkV',
    object: 'item',
    amount_discount: 0,
    amount_subtotal: 1000,
    amount_tax: 0,
    amount_total: 1000,
    currency: 'usd',
    description: 'T-shirt',
    quantity: 1,
  },
  verificationSession: {
    id: 'vs_1NnmXJGPxmnHQRkJVcb4sPQS',
    object: 'identity.verification_session',
    client_secret: null,
    created: 1234567890,
    last_error: null,
    last_verification_report: 'vr_OayUPCTp071xnrG1dFUdtqgS',
    livemode: false,
    metadata: {},
    options: { document: { require_matching_selfie: true } },
    redaction: null,
    status: 'verified',
    type: 'document',
    url: null,
  },
  financialConnectionsSession: {
    id: 'fcsess_1MwtnGLkdIwHu7ixs7NPQ7dq',
    object: 'financial_connections.session',
    account_holder: { customer: 'cus_NiKSWdaFz2F6I0', type: 'customer' },
    accounts: {
      object: 'list',
      data: [],
      has_more: false,
      total_count: 0,
      url: '/v1/financial_connections/accounts',
    },
    client_secret: 'fcsess_client_secret_KRJTKvCY3IKoYTrW18EazcO3',
    filters: { countries: ['US'] },
    livemode: false,
    permissions: ['balances', 'payment_method'],
  },
};

function loadFixtures(): typeof HAND_WRITTEN {
  const file = path.join(SHARED, 'stripe/fixtures3.json');
  if (!fs.existsSync(file)) {
    console.warn(
      `[client.e2e] ${file} not found: using hand-written response objects instead of Stripe's fixtures.`,
    );
    return HAND_WRITTEN;
  }
  const resources = (
    JSON.parse(fs.readFileSync(file, 'utf8')) as { resources: Record<string, Json> }
  ).resources;
  return {
    checkoutSession:
      (resources['checkout.session'] as typeof HAND_WRITTEN.checkoutSession) ??
      HAND_WRITTEN.checkoutSession,
    lineItem: (resources['item'] as typeof HAND_WRITTEN.lineItem) ?? HAND_WRITTEN.lineItem,
    verificationSession:
      (resources['identity.verification_session'] as typeof HAND_WRITTEN.verificationSession) ??
      HAND_WRITTEN.verificationSession,
    financialConnectionsSession:
      (resources[
        'financial_connections.session'
      ] as typeof HAND_WRITTEN.financialConnectionsSession) ??
      HAND_WRITTEN.financialConnectionsSession,
  };
}

/** The "Create a Session" example of seed 003: form pairs of its curl call and its JSON response. */
interface LinkSeed {
  pairs: Array<[string, string]>;
  response: Json;
}

const HAND_WRITTEN_LINK_SEED: LinkSeed = {
  pairs: [
    ['account_holder[type]', 'customer'],
    ['account_holder[customer]', 'cus_NiKSWdaFz2F6I0'],
    ['permissions[0]', 'payment_method'],
    ['permissions[1]', 'balances'],
    ['filters[countries][0]', 'US'],
  ],
  response: HAND_WRITTEN.financialConnectionsSession,
};

function loadLinkSeed(): LinkSeed {
  const dir = path.join(SHARED, 'seeds');
  const name = fs.existsSync(dir)
    ? fs.readdirSync(dir).find((f) => /^003_.*\.txt$/.test(f))
    : undefined;
  if (!name) {
    console.warn(
      `[client.e2e] seed ${dir}/003_*.txt not found: using a hand-written link account session example.`,
    );
    return HAND_WRITTEN_LINK_SEED;
  }
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  const m =
    /curl https:\/\/api\.stripe\.com\/v1\/financial_connections\/sessions \\\n((?:.*\\\n)*.*)\nResponse\n/.exec(
      text,
    );
  if (!m) throw new Error(`seed ${name}: no "create a session" curl example`);
  // `-d "permissions[]"=balances`: curl repeats `[]`; Stripe (and stripe-node) index arrays.
  const counters = new Map<string, number>();
  const pairs: Array<[string, string]> = [];
  for (const line of m[1].split('\n')) {
    const d = /^-d "?([^"=]+)"?=(.*?)\s*\\?$/.exec(line.trim());
    if (!d) continue;
    const key = d[1].replace(/\[\]/g, (_all, offset: number) => {
      const prefix = d[1].slice(0, offset);
      const n = counters.get(prefix) ?? 0;
      counters.set(prefix, n + 1);
      return `[${n}]`;
    });
    pairs.push([key, d[2].replace(/^"(.*)"$/, '$1')]);
  }
  const start = m.index + m[0].length;
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  return { pairs, response: JSON.parse(text.slice(start, end + 1)) as Json };
}

const fixtures = loadFixtures();
const linkSeed = loadLinkSeed();

/** Stripe-Version the link capability's OpenAPI fragment declares (info.version). */
const LINK_STRIPE_VERSION = /^info:\n(?:\s+.*\n)*?\s+version:\s*'?([^'\n]+)'?/m.exec(
  fs.readFileSync(path.join(ROOT, 'specs/stripe-link.openapi.yaml'), 'utf8'),
)?.[1];

// ---------------------------------------------------------------------------------------------
// msw: one catch-all handler recording every request

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

type Responder = (req: Seen, index: number) => Response | Promise<Response>;

const seen: Seen[] = [];
let respond: Responder = () =>
  HttpResponse.json({ error: { type: 'api_error', message: 'no responder set' } }, { status: 599 });

const server = setupServer(
  http.all('*', async ({ request }) => {
    const req: Seen = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
      at: performance.now(),
    };
    seen.push(req);
    return respond(req, seen.length - 1);
  }),
);

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const all = new Headers({ 'request-id': `req_e2e_${seen.length}` });
  for (const [name, value] of Object.entries(headers)) all.set(name, value);
  return HttpResponse.json(body as Json, { status, headers: all });
}

function pairs(formOrSearch: string): Array<[string, string]> {
  return [...new URLSearchParams(formOrSearch)];
}

function sortedPairs(formOrSearch: string): Array<[string, string]> {
  return pairs(formOrSearch).sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b),
  );
}

function list(url: string, data: unknown[], hasMore = false): Json {
  return { object: 'list', url, has_more: hasMore, data };
}

const stripe = new Stripe(KEY, { maxNetworkRetries: 0, telemetry: false });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let savedEnv: Record<string, string | undefined>;
beforeEach(() => {
  savedEnv = { ...process.env };
  process.env.STRIPE_API_KEY = KEY;
  delete process.env.CHECKOUT_SESSIONS_BASE_URI;
  delete process.env.IDENTITY_SESSIONS_BASE_URI;
  delete process.env.LINK_LINK_ACCOUNT_SESSIONS_BASE_URI;
  seen.length = 0;
});
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

// ---------------------------------------------------------------------------------------------
// every consumed operation

const checkout = () => createCheckoutSessionsClient();
const identity = () => createIdentitySessionsClient();
const link = () => createLinkAccountSessionsClient();

const CS_ID = (fixtures.checkoutSession as Json).id as string;
const VS_ID = (fixtures.verificationSession as Json).id as string;
const FC_ID = (linkSeed.response.id as string) ?? 'fcsess_1MwtnGLkdIwHu7ixs7NPQ7dq';

const checkoutCreateBody: PostCheckoutSessionsBody = {
  mode: 'payment',
  success_url: 'https://example.com/success?session_id={CHECKOUT_SESSION_ID}',
  cancel_url: 'https://example.com/cancel',
  customer_email: 'jenny.rosen+checkout@example.com',
  client_reference_id: 'order #6735 (gift)',
  line_items: [
    {
      price_data: {
        currency: 'eur',
        unit_amount: 2000,
        product_data: {
          name: 'Café ☕ T-shirt',
          description: "L'original, 100% coton",
          images: ['https://example.com/t.png'],
        },
      },
      quantity: 2,
    },
    {
      price: 'price_1NnlpWGPxmnHQRkJl3IsxEZx',
      quantity: 1,
      adjustable_quantity: { enabled: true, minimum: 1, maximum: 10 },
    },
  ],
  payment_method_types: ['card', 'sepa_debit'],
  metadata: { order_id: '6735', note: 'wrap it & ship it!', coupon: null },
  allow_promotion_codes: true,
  shipping_address_collection: { allowed_countries: ['FR', 'DE', 'US'] },
  automatic_tax: { enabled: false },
  payment_intent_data: { capture_method: 'manual', metadata: { source: 'capgen-e2e' } },
  discounts: [],
  expires_at: 1767225600,
};

const CHECKOUT_CREATE_PAIRS: Array<[string, string]> = [
  ['mode', 'payment'],
  ['success_url', 'https://example.com/success?session_id={CHECKOUT_SESSION_ID}'],
  ['cancel_url', 'https://example.com/cancel'],
  ['customer_email', 'jenny.rosen+checkout@example.com'],
  ['client_reference_id', 'order #6735 (gift)'],
  ['line_items[0][price_data][currency]', 'eur'],
  ['line_items[0][price_data][unit_amount]', '2000'],
  ['line_items[0][price_data][product_data][name]', 'Café ☕ T-shirt'],
  ['line_items[0][price_data][product_data][description]', "L'original, 100% coton"],
  ['line_items[0][price_data][product_data][images][0]', 'https://example.com/t.png'],
  ['line_items[0][quantity]', '2'],
  ['line_items[1][price]', 'price_1NnlpWGPxmnHQRkJl3IsxEZx'],
  ['line_items[1][quantity]', '1'],
  ['line_items[1][adjustable_quantity][enabled]', 'true'],
  ['line_items[1][adjustable_quantity][minimum]', '1'],
  ['line_items[1][adjustable_quantity][maximum]', '10'],
  ['payment_method_types[0]', 'card'],
  ['payment_method_types[1]', 'sepa_debit'],
  ['metadata[order_id]', '6735'],
  ['metadata[note]', 'wrap it & ship it!'],
  ['metadata[coupon]', ''],
  ['allow_promotion_codes', 'true'],
  ['shipping_address_collection[allowed_countries][0]', 'FR'],
  ['shipping_address_collection[allowed_countries][1]', 'DE'],
  ['shipping_address_collection[allowed_countries][2]', 'US'],
  ['automatic_tax[enabled]', 'false'],
  ['payment_intent_data[capture_method]', 'manual'],
  ['payment_intent_data[metadata][source]', 'capgen-e2e'],
  ['expires_at', '1767225600'],
];

const identityCreateBody: PostIdentityVerificationSessionsBody = {
  type: 'document',
  client_reference_id: 'user_42',
  metadata: { user_id: '42' },
  options: {
    document: {
      allowed_types: ['driving_license', 'passport', 'id_card'],
      require_id_number: false,
      require_live_capture: true,
      require_matching_selfie: true,
    },
  },
  provided_details: { email: 'jenny.rosen@example.com' },
  return_url: 'https://example.com/verified?lang=fr&step=2',
};

const IDENTITY_CREATE_PAIRS: Array<[string, string]> = [
  ['type', 'document'],
  ['client_reference_id', 'user_42'],
  ['metadata[user_id]', '42'],
  ['options[document][allowed_types][0]', 'driving_license'],
  ['options[document][allowed_types][1]', 'passport'],
  ['options[document][allowed_types][2]', 'id_card'],
  ['options[document][require_id_number]', 'false'],
  ['options[document][require_live_capture]', 'true'],
  ['options[document][require_matching_selfie]', 'true'],
  ['provided_details[email]', 'jenny.rosen@example.com'],
  ['return_url', 'https://example.com/verified?lang=fr&step=2'],
];

const linkCreateBody: PostLinkAccountSessionsBody = {
  account_holder: { type: 'customer', customer: 'cus_NiKSWdaFz2F6I0' },
  permissions: ['payment_method', 'balances'],
  filters: { countries: ['US'] },
};

type StripeParams<F extends (...args: never[]) => unknown> = Parameters<F>[0];

interface OperationCase {
  name: string;
  capability: 'checkout-sessions' | 'identity-sessions' | 'link-account-sessions';
  /** Calls the generated client; resolves to the typed response. */
  call: () => Promise<unknown>;
  /** The same call through the official `stripe` package (the oracle). */
  viaStripe: () => Promise<unknown>;
  /** Path stripe-node uses when it differs (it has no link_account_sessions resource). */
  stripePath?: string;
  method: 'GET' | 'POST';
  path: string;
  /** Decoded query pairs, in any order. */
  query: Array<[string, string]>;
  /** Decoded form pairs in wire order (POST only). */
  form?: Array<[string, string]>;
  response: Json;
}

const CASES: OperationCase[] = [
  // checkout-sessions (5)
  {
    name: 'getCheckoutSessions',
    capability: 'checkout-sessions',
    call: () =>
      checkout().getCheckoutSessions({
        limit: 3,
        expand: ['data.customer', 'data.line_items'],
        status: 'complete',
        customer: 'cus_NiKSWdaFz2F6I0',
        customer_details: { email: 'jenny.rosen@example.com' },
      }),
    viaStripe: () =>
      stripe.checkout.sessions.list({
        limit: 3,
        expand: ['data.customer', 'data.line_items'],
        status: 'complete',
        customer: 'cus_NiKSWdaFz2F6I0',
        customer_details: { email: 'jenny.rosen@example.com' },
      }),
    method: 'GET',
    path: '/v1/checkout/sessions',
    query: [
      ['customer', 'cus_NiKSWdaFz2F6I0'],
      ['customer_details[email]', 'jenny.rosen@example.com'],
      ['expand[0]', 'data.customer'],
      ['expand[1]', 'data.line_items'],
      ['limit', '3'],
      ['status', 'complete'],
    ],
    response: list('/v1/checkout/sessions', [fixtures.checkoutSession], true),
  },
  {
    name: 'postCheckoutSessions',
    capability: 'checkout-sessions',
    call: () => checkout().postCheckoutSessions({ body: checkoutCreateBody }),
    viaStripe: () =>
      stripe.checkout.sessions.create(
        checkoutCreateBody as unknown as StripeParams<typeof stripe.checkout.sessions.create>,
      ),
    method: 'POST',
    path: '/v1/checkout/sessions',
    query: [],
    form: CHECKOUT_CREATE_PAIRS,
    response: fixtures.checkoutSession,
  },
  {
    name: 'getCheckoutSessionsSession',
    capability: 'checkout-sessions',
    call: () =>
      checkout().getCheckoutSessionsSession({ session: CS_ID, expand: ['customer', 'line_items'] }),
    viaStripe: () =>
      stripe.checkout.sessions.retrieve(CS_ID, { expand: ['customer', 'line_items'] }),
    method: 'GET',
    path: `/v1/checkout/sessions/${CS_ID}`,
    query: [
      ['expand[0]', 'customer'],
      ['expand[1]', 'line_items'],
    ],
    response: fixtures.checkoutSession,
  },
  {
    name: 'postCheckoutSessionsSessionExpire',
    capability: 'checkout-sessions',
    call: () => checkout().postCheckoutSessionsSessionExpire({ session: CS_ID }),
    viaStripe: () => stripe.checkout.sessions.expire(CS_ID),
    method: 'POST',
    path: `/v1/checkout/sessions/${CS_ID}/expire`,
    query: [],
    form: [],
    response: { ...fixtures.checkoutSession, status: 'expired' },
  },
  {
    name: 'getCheckoutSessionsSessionLineItems',
    capability: 'checkout-sessions',
    call: () =>
      checkout().getCheckoutSessionsSessionLineItems({
        session: CS_ID,
        limit: 5,
        starting_after: 'li_1NnmXAGPxmnHQRkJCYkJCbkV',
        expand: ['data.price.product'],
      }),
    viaStripe: () =>
      stripe.checkout.sessions.listLineItems(CS_ID, {
        limit: 5,
        starting_after: 'li_1NnmXAGPxmnHQRkJCYkJCbkV',
        expand: ['data.price.product'],
      }),
    method: 'GET',
    path: `/v1/checkout/sessions/${CS_ID}/line_items`,
    query: [
      ['expand[0]', 'data.price.product'],
      ['limit', '5'],
      ['starting_after', 'li_1NnmXAGPxmnHQRkJCYkJCbkV'],
    ],
    response: list(`/v1/checkout/sessions/${CS_ID}/line_items`, [fixtures.lineItem]),
  },
  // identity-sessions (6)
  {
    name: 'getIdentityVerificationSessions',
    capability: 'identity-sessions',
    call: () =>
      identity().getIdentityVerificationSessions({
        limit: 2,
        status: 'verified',
        ending_before: 'vs_1Nnm00GPxmnHQRkJ',
      }),
    viaStripe: () =>
      stripe.identity.verificationSessions.list({
        limit: 2,
        status: 'verified',
        ending_before: 'vs_1Nnm00GPxmnHQRkJ',
      }),
    method: 'GET',
    path: '/v1/identity/verification_sessions',
    query: [
      ['ending_before', 'vs_1Nnm00GPxmnHQRkJ'],
      ['limit', '2'],
      ['status', 'verified'],
    ],
    response: list('/v1/identity/verification_sessions', [fixtures.verificationSession]),
  },
  {
    name: 'postIdentityVerificationSessions',
    capability: 'identity-sessions',
    call: () => identity().postIdentityVerificationSessions({ body: identityCreateBody }),
    viaStripe: () =>
      stripe.identity.verificationSessions.create(
        identityCreateBody as unknown as StripeParams<
          typeof stripe.identity.verificationSessions.create
        >,
      ),
    method: 'POST',
    path: '/v1/identity/verification_sessions',
    query: [],
    form: IDENTITY_CREATE_PAIRS,
    response: { ...fixtures.verificationSession, status: 'requires_input' },
  },
  {
    name: 'getIdentityVerificationSessionsSession',
    capability: 'identity-sessions',
    call: () =>
      identity().getIdentityVerificationSessionsSession({
        session: VS_ID,
        expand: ['verified_outputs', 'last_verification_report'],
      }),
    viaStripe: () =>
      stripe.identity.verificationSessions.retrieve(VS_ID, {
        expand: ['verified_outputs', 'last_verification_report'],
      }),
    method: 'GET',
    path: `/v1/identity/verification_sessions/${VS_ID}`,
    query: [
      ['expand[0]', 'verified_outputs'],
      ['expand[1]', 'last_verification_report'],
    ],
    response: fixtures.verificationSession,
  },
  {
    name: 'postIdentityVerificationSessionsSession',
    capability: 'identity-sessions',
    call: () =>
      identity().postIdentityVerificationSessionsSession({
        session: VS_ID,
        body: {
          type: 'id_number',
          metadata: { attempt: '2', note: '' },
          provided_details: { phone: '+14155550123' },
        },
      }),
    viaStripe: () =>
      stripe.identity.verificationSessions.update(VS_ID, {
        type: 'id_number',
        metadata: { attempt: '2', note: '' },
        provided_details: { phone: '+14155550123' },
      }),
    method: 'POST',
    path: `/v1/identity/verification_sessions/${VS_ID}`,
    query: [],
    form: [
      ['type', 'id_number'],
      ['metadata[attempt]', '2'],
      ['metadata[note]', ''],
      ['provided_details[phone]', '+14155550123'],
    ],
    response: { ...fixtures.verificationSession, type: 'id_number' },
  },
  {
    name: 'postIdentityVerificationSessionsSessionCancel',
    capability: 'identity-sessions',
    call: () => identity().postIdentityVerificationSessionsSessionCancel({ session: VS_ID }),
    viaStripe: () => stripe.identity.verificationSessions.cancel(VS_ID),
    method: 'POST',
    path: `/v1/identity/verification_sessions/${VS_ID}/cancel`,
    query: [],
    form: [],
    response: { ...fixtures.verificationSession, status: 'canceled' },
  },
  {
    name: 'postIdentityVerificationSessionsSessionRedact',
    capability: 'identity-sessions',
    call: () =>
      identity().postIdentityVerificationSessionsSessionRedact({
        session: VS_ID,
        body: { expand: ['verified_outputs'] },
      }),
    viaStripe: () =>
      stripe.identity.verificationSessions.redact(VS_ID, { expand: ['verified_outputs'] }),
    method: 'POST',
    path: `/v1/identity/verification_sessions/${VS_ID}/redact`,
    query: [],
    form: [['expand[0]', 'verified_outputs']],
    response: { ...fixtures.verificationSession, redaction: { status: 'processing' } },
  },
  // link-account-sessions (2)
  {
    name: 'postLinkAccountSessions',
    capability: 'link-account-sessions',
    call: () => link().postLinkAccountSessions({ body: linkCreateBody }),
    viaStripe: () => stripe.rawRequest('POST', '/v1/link_account_sessions', linkCreateBody),
    method: 'POST',
    path: '/v1/link_account_sessions',
    query: [],
    form: linkSeed.pairs,
    response: linkSeed.response,
  },
  {
    name: 'getLinkAccountSessionsSession',
    capability: 'link-account-sessions',
    call: () => link().getLinkAccountSessionsSession({ session: FC_ID, expand: ['accounts'] }),
    viaStripe: () => stripe.financialConnections.sessions.retrieve(FC_ID, { expand: ['accounts'] }),
    stripePath: `/v1/financial_connections/sessions/${FC_ID}`,
    method: 'GET',
    path: `/v1/link_account_sessions/${FC_ID}`,
    query: [['expand[0]', 'accounts']],
    response: fixtures.financialConnectionsSession,
  },
];

describe('generated clients: every consumed operation reaches Stripe as stripe-node would send it', () => {
  it('covers the 13 consumed operations of the three capabilities, each with its own client method', () => {
    expect(CASES).toHaveLength(13);
    const methods = {
      'checkout-sessions': Object.keys(checkout()),
      'identity-sessions': Object.keys(identity()),
      'link-account-sessions': Object.keys(link()),
    };
    for (const [capability, names] of Object.entries(methods)) {
      const covered = CASES.filter((c) => c.capability === capability).map((c) => c.name);
      expect(names.filter((n) => n !== 'invoke').sort()).toEqual([...covered].sort());
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    respond = () => json(c.response);
    const result = await c.call();

    // The typed response is the body Stripe sent.
    expect(result).toEqual(c.response);

    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect(req.method).toBe(c.method);
    expect(req.url.origin).toBe('https://api.stripe.com');
    expect(req.url.pathname).toBe(c.path);
    expect(sortedPairs(req.url.search)).toEqual(
      sortedPairs(new URLSearchParams(c.query).toString()),
    );

    // Headers
    expect(req.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(req.headers.get('user-agent')).toMatch(/^capgen\//);
    expect(req.headers.get('accept')).toBe('application/json');
    // Only the link fragment declares an API version (info.version); the other two capabilities
    // match no OpenAPI operation in the bundled build, so they send none and get the account's.
    expect(req.headers.get('stripe-version')).toBe(
      c.capability === 'link-account-sessions' ? (LINK_STRIPE_VERSION ?? null) : null,
    );
    if (c.method === 'POST') {
      expect(req.headers.get('idempotency-key')).toMatch(UUID);
      expect(req.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
      expect(Number(req.headers.get('content-length'))).toBe(Buffer.byteLength(req.body));
      expect(pairs(req.body)).toEqual(c.form);
    } else {
      expect(req.headers.get('idempotency-key')).toBeNull();
      expect(req.headers.get('content-type')).toBeNull();
      expect(req.body).toBe('');
    }

    // The oracle: the official stripe package, same call.
    seen.length = 0;
    await c.viaStripe();
    expect(seen).toHaveLength(1);
    const official = seen[0];
    expect(official.method).toBe(req.method);
    expect(official.url.pathname).toBe(c.stripePath ?? req.url.pathname);
    expect(sortedPairs(official.url.search)).toEqual(sortedPairs(req.url.search));
    if (c.method === 'POST') {
      // Byte for byte, same key order, same percent-encoding.
      expect(req.body).toBe(official.body);
      expect(official.headers.get('content-type')).toBe(req.headers.get('content-type'));
    } else {
      expect(official.body).toBe('');
    }
  });

  it('encodes the seed-003 link account session request as curl -d pairs with indexed arrays', async () => {
    respond = () => json(linkSeed.response);
    await link().postLinkAccountSessions({ body: linkCreateBody });
    expect(seen[0].body).toBe(
      linkSeed.pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'),
    );
    expect(seen[0].body).toBe(
      'account_holder[type]=customer&account_holder[customer]=cus_NiKSWdaFz2F6I0' +
        '&permissions[0]=payment_method&permissions[1]=balances&filters[countries][0]=US',
    );
  });

  it('.withResponse returns status, lower-cased headers and the request id', async () => {
    respond = () =>
      json(fixtures.checkoutSession, 200, {
        'Request-Id': 'req_withresponse_1',
        'Stripe-Version': '2023-10-16',
      });
    const r = await checkout().getCheckoutSessionsSession.withResponse({ session: CS_ID });
    expect(r.status).toBe(200);
    expect(r.requestId).toBe('req_withresponse_1');
    expect(r.headers['stripe-version']).toBe('2023-10-16');
    expect(r.data).toEqual(fixtures.checkoutSession);
  });
});

// ---------------------------------------------------------------------------------------------
// request building

describe('request building', () => {
  it('never sends a body on GET, even when one is passed', async () => {
    respond = () => json(fixtures.checkoutSession);
    const params = { session: CS_ID, body: { metadata: { a: '1' } } };
    await checkout().getCheckoutSessionsSession(params as { session: string });
    await link().getLinkAccountSessionsSession({ session: FC_ID, body: { x: 1 } } as {
      session: string;
    });
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      expect(req.method).toBe('GET');
      expect(req.body).toBe('');
      expect(req.headers.get('content-type')).toBeNull();
      expect(req.headers.get('content-length') ?? '0').toBe('0');
      expect(req.url.search).toBe('');
    }
  });

  it.each([
    ['../../v1/customers', '..%2F..%2Fv1%2Fcustomers'],
    ['a?b#c', 'a%3Fb%23c'],
    ['a/b', 'a%2Fb'],
    ['cs test ü%2F', 'cs%20test%20%C3%BC%252F'],
  ])('path parameter %j reaches Stripe as the single segment %s', async (value, encoded) => {
    respond = () => json(fixtures.checkoutSession);
    await checkout().getCheckoutSessionsSession({ session: value });
    await checkout().postCheckoutSessionsSessionExpire({ session: value });
    await checkout().getCheckoutSessionsSessionLineItems({ session: value, limit: 1 });
    expect(seen.map((r) => r.url.pathname)).toEqual([
      `/v1/checkout/sessions/${encoded}`,
      `/v1/checkout/sessions/${encoded}/expire`,
      `/v1/checkout/sessions/${encoded}/line_items`,
    ]);
    for (const req of seen) {
      expect(req.url.hash).toBe('');
      const segments = req.url.pathname.split('/');
      expect(decodeURIComponent(segments[4])).toBe(value);
    }
    expect(seen[0].url.search).toBe('');
    expect(seen[2].url.search).toBe('?limit=1');
  });

  it.each(['.', '..', ''])(
    'rejects the path parameter %j before sending anything',
    async (value) => {
      await expect(
        checkout().getCheckoutSessionsSession({ session: value }),
      ).rejects.toBeInstanceOf(ParameterError);
      expect(seen).toHaveLength(0);
    },
  );

  it('gives every POST its own idempotency key, and uses the one the caller passes', async () => {
    respond = () => json(fixtures.checkoutSession);
    await checkout().postCheckoutSessionsSessionExpire({ session: CS_ID });
    await checkout().postCheckoutSessionsSessionExpire({ session: CS_ID });
    await checkout().postCheckoutSessionsSessionExpire(
      { session: CS_ID },
      { idempotencyKey: 'order-6735-expire' },
    );
    const keys = seen.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toMatch(UUID);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('order-6735-expire');
  });
});

// ---------------------------------------------------------------------------------------------
// retries, errors, timeouts

describe('retries and errors', () => {
  it('retries a 500 once and succeeds, sending the same idempotency key on both attempts', async () => {
    respond = (_req, i) =>
      i === 0
        ? json({ error: { type: 'api_error', message: 'An unknown error occurred' } }, 500)
        : json({ ...fixtures.checkoutSession, status: 'expired' });
    const client = createCheckoutSessionsClient({
      maxRetries: 2,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
    });
    const result = await client.postCheckoutSessionsSessionExpire({ session: CS_ID });
    expect(result).toEqual({ ...fixtures.checkoutSession, status: 'expired' });
    expect(seen).toHaveLength(2);
    const [first, second] = seen.map((r) => r.headers.get('idempotency-key'));
    expect(first).toMatch(UUID);
    expect(second).toBe(first);
    expect(seen[1].body).toBe(seen[0].body);
    expect(seen[1].url.href).toBe(seen[0].url.href);
  });

  it('gives up after maxRetries and surfaces the last 5xx as an ApiError', async () => {
    respond = () => json({ error: { type: 'api_error', message: 'Service unavailable' } }, 503);
    const client = createCheckoutSessionsClient({
      maxRetries: 2,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
    });
    const error = await client.getCheckoutSessions({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  it('does not retry when Stripe says Stripe-Should-Retry: false', async () => {
    respond = () =>
      json({ error: { type: 'api_error', message: 'nope' } }, 500, {
        'Stripe-Should-Retry': 'false',
      });
    const client = createCheckoutSessionsClient({ maxRetries: 3, retryBaseDelayMs: 1 });
    await expect(
      client.postCheckoutSessionsSessionExpire({ session: CS_ID }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 400 and surfaces it as an ApiError without the API key', async () => {
    respond = () =>
      json(
        {
          error: {
            type: 'invalid_request_error',
            code: 'parameter_missing',
            param: 'line_items',
            message: 'Missing required param: line_items.',
            doc_url: 'https://stripe.com/docs/error-codes/parameter-missing',
          },
        },
        400,
        { 'Request-Id': 'req_400_abc' },
      );
    const client = createCheckoutSessionsClient({ maxRetries: 3, retryBaseDelayMs: 1 });
    const error = await client
      .postCheckoutSessions({ body: { mode: 'payment' } })
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.name).toBe('ApiError');
    expect(e.status).toBe(400);
    expect(e.type).toBe('invalid_request_error');
    expect(e.code).toBe('parameter_missing');
    expect(e.param).toBe('line_items');
    expect(e.message).toBe('Missing required param: line_items.');
    expect(e.requestId).toBe('req_400_abc');
    expect(e.docUrl).toBe('https://stripe.com/docs/error-codes/parameter-missing');
    expect(e.method).toBe('POST');
    expect(e.path).toBe('/v1/checkout/sessions');
    // The request carried the key; nothing about the error does.
    expect(seen[0].headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(e.message).not.toContain(KEY);
    expect(JSON.stringify(e)).not.toContain(KEY);
    expect(String(e.stack)).not.toContain(KEY);
    expect(JSON.stringify(e)).toContain('parameter_missing');
  });

  it('redacts the key from the message when the upstream echoes it back', async () => {
    respond = () =>
      json(
        {
          error: {
            type: 'invalid_request_error',
            code: 'api_key_expired',
            message: `Expired API Key provided: ${KEY}`,
          },
        },
        401,
      );
    const error = (await checkout()
      .getCheckoutSessions()
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain('Expired API Key provided:');
    expect(seen).toHaveLength(1);
  });

  it('honors Retry-After (seconds, fractions accepted) instead of its own backoff', async () => {
    respond = (_req, i) =>
      i === 0
        ? json({ error: { type: 'rate_limit_error', message: 'Too many requests' } }, 429, {
            'Retry-After': '0.25',
          })
        : json(list('/v1/checkout/sessions', []));
    const client = createCheckoutSessionsClient({
      maxRetries: 1,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 2,
    });
    await client.getCheckoutSessions({ limit: 1 });
    expect(seen).toHaveLength(2);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(240);
  });

  it('does not wait for a Retry-After over maxRetryAfterMs: the 429 comes back at once', async () => {
    respond = (_req, i) =>
      i === 0
        ? json({ error: { type: 'rate_limit_error', message: 'Too many requests' } }, 429, {
            'Retry-After': '30',
          })
        : json(list('/v1/checkout/sessions', []));
    const client = createCheckoutSessionsClient({
      maxRetries: 1,
      retryBaseDelayMs: 1,
      maxRetryAfterMs: 150,
    });
    const error = (await client
      .getCheckoutSessions({ limit: 1 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.headers['retry-after']).toBe('30');
    expect(seen).toHaveLength(1);
  });

  it('times out as ApiTimeoutError', async () => {
    respond = async () => {
      await delay(1_000);
      return json(fixtures.checkoutSession);
    };
    const started = performance.now();
    const error = await checkout()
      .getCheckoutSessionsSession({ session: CS_ID }, { timeoutMs: 50, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect((error as ApiTimeoutError).timeoutMs).toBe(50);
    expect((error as ApiTimeoutError).message).toContain(`/v1/checkout/sessions/${CS_ID}`);
    expect(performance.now() - started).toBeLessThan(900);
    expect(seen).toHaveLength(1);
  });

  it('throws MissingCredentialsError before any request when STRIPE_API_KEY is unset or empty', async () => {
    delete process.env.STRIPE_API_KEY;
    const error = await checkout()
      .getCheckoutSessions({ limit: 3 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as MissingCredentialsError).envVar).toBe('STRIPE_API_KEY');
    process.env.STRIPE_API_KEY = '';
    await expect(link().postLinkAccountSessions({ body: linkCreateBody })).rejects.toBeInstanceOf(
      MissingCredentialsError,
    );
    await expect(
      identity().postIdentityVerificationSessionsSessionCancel({ session: VS_ID }),
    ).rejects.toBeInstanceOf(MissingCredentialsError);
    expect(seen).toHaveLength(0);
  });

  it('reads the key at call time, and the apiKey option wins over the environment', async () => {
    respond = () => json(fixtures.checkoutSession);
    delete process.env.STRIPE_API_KEY;
    const client = checkout();
    process.env.STRIPE_API_KEY = KEY;
    await client.getCheckoutSessionsSession({ session: CS_ID });
    await createCheckoutSessionsClient({
      apiKey: 'sk_test_from_option',
    }).getCheckoutSessionsSession({ session: CS_ID });
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([
      `Bearer ${KEY}`,
      'Bearer sk_test_from_option',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// base URI

describe('base URI', () => {
  it('CHECKOUT_SESSIONS_BASE_URI redirects requests, base path included', async () => {
    respond = () => json(fixtures.checkoutSession);
    process.env.CHECKOUT_SESSIONS_BASE_URI = 'https://stripe-proxy.example.test/stripe/';
    await checkout().getCheckoutSessionsSession({ session: CS_ID, expand: ['customer'] });
    // Other capabilities are not affected.
    await link().getLinkAccountSessionsSession({ session: FC_ID });
    expect(seen.map((r) => r.url.href)).toEqual([
      `https://stripe-proxy.example.test/stripe/v1/checkout/sessions/${CS_ID}?expand[0]=customer`,
      `https://api.stripe.com/v1/link_account_sessions/${FC_ID}`,
    ]);
  });

  it('the baseUri option wins over CHECKOUT_SESSIONS_BASE_URI', async () => {
    respond = () => json(fixtures.checkoutSession);
    process.env.CHECKOUT_SESSIONS_BASE_URI = 'https://stripe-proxy.example.test';
    await createCheckoutSessionsClient({
      baseUri: 'http://localhost:12111',
    }).postCheckoutSessionsSessionExpire({
      session: CS_ID,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].url.href).toBe(`http://localhost:12111/v1/checkout/sessions/${CS_ID}/expire`);
    expect(seen[0].headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });
});

// ---------------------------------------------------------------------------------------------
// pagination

describe('auto-pagination', () => {
  it('walks three pages, passing starting_after=<last id> and keeping the other parameters', async () => {
    const ids = [
      'cs_test_p1',
      'cs_test_p2',
      'cs_test_p3',
      'cs_test_p4',
      'cs_test_p5',
      'cs_test_p6',
      'cs_test_p7',
    ];
    const pages = [ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)];
    respond = (_req, i) =>
      json(
        list(
          '/v1/checkout/sessions',
          pages[i].map((id) => ({ ...fixtures.checkoutSession, id })),
          i < pages.length - 1,
        ),
      );
    const items: GetCheckoutSessionsItem[] = [];
    for await (const item of checkout().getCheckoutSessions.autoPaginate({
      limit: 3,
      expand: ['data.customer'],
    })) {
      items.push(item);
    }
    expect(items.map((item) => (item as { id: string }).id)).toEqual(ids);
    expect(items[0]).toEqual({ ...fixtures.checkoutSession, id: 'cs_test_p1' });
    expect(seen).toHaveLength(3);
    expect(seen.map((r) => sortedPairs(r.url.search))).toEqual([
      [
        ['expand[0]', 'data.customer'],
        ['limit', '3'],
      ],
      [
        ['expand[0]', 'data.customer'],
        ['limit', '3'],
        ['starting_after', 'cs_test_p3'],
      ],
      [
        ['expand[0]', 'data.customer'],
        ['limit', '3'],
        ['starting_after', 'cs_test_p6'],
      ],
    ]);
    for (const req of seen) {
      expect(req.method).toBe('GET');
      expect(req.url.pathname).toBe('/v1/checkout/sessions');
    }
  });

  /** A Stripe-like list endpoint over `ids` (list order, newest first) honoring both cursors. */
  function listEndpoint(ids: string[]): Responder {
    return (req) => {
      const q = req.url.searchParams;
      const limit = Number(q.get('limit') ?? '10');
      const after = q.get('starting_after');
      const before = q.get('ending_before');
      if (after && before) {
        return json(
          {
            error: {
              type: 'invalid_request_error',
              message:
                'You may only specify one of these parameters: ending_before, starting_after.',
            },
          },
          400,
        );
      }
      let page: string[];
      let hasMore: boolean;
      if (before) {
        const end = ids.indexOf(before);
        page = ids.slice(Math.max(0, end - limit), end);
        hasMore = end - limit > 0;
      } else {
        const start = after ? ids.indexOf(after) + 1 : 0;
        page = ids.slice(start, start + limit);
        hasMore = start + limit < ids.length;
      }
      return json(
        list(
          '/v1/checkout/sessions',
          page.map((id) => ({ ...fixtures.checkoutSession, id })),
          hasMore,
        ),
      );
    };
  }

  it.each([
    ['forwards', { limit: 2 }],
    ['forwards from a cursor', { limit: 2, starting_after: 'cs_test_6' }],
    ['backwards (ending_before)', { limit: 2, ending_before: 'cs_test_1' }],
  ] as const)(
    'walks %s exactly like stripe-node: same requests, same items in the same order',
    async (_how, params) => {
      respond = listEndpoint([
        'cs_test_7',
        'cs_test_6',
        'cs_test_5',
        'cs_test_4',
        'cs_test_3',
        'cs_test_2',
        'cs_test_1',
      ]);
      const ours: string[] = [];
      for await (const item of checkout().getCheckoutSessions.autoPaginate({ ...params }))
        ours.push((item as { id: string }).id);
      const ourRequests = seen.map((r) => sortedPairs(r.url.search));
      seen.length = 0;
      const theirs: string[] = [];
      for await (const session of stripe.checkout.sessions.list({ ...params }))
        theirs.push(session.id);
      const theirRequests = seen.map((r) => sortedPairs(r.url.search));
      expect(ours).toEqual(theirs);
      expect(ourRequests).toEqual(theirRequests);
      expect(ours.length).toBeGreaterThanOrEqual(5);
      expect(ourRequests.length).toBeGreaterThanOrEqual(3);
    },
  );

  it('fetches lazily: breaking out after the first item sends one request', async () => {
    respond = () => json(list('/v1/checkout/sessions', [fixtures.checkoutSession], true));
    for await (const item of checkout().getCheckoutSessions.autoPaginate({ limit: 1 })) {
      expect(item).toEqual(fixtures.checkoutSession);
      break;
    }
    expect(seen).toHaveLength(1);
  });

  it('paginates line items with the session in the path', async () => {
    const items = ['li_1', 'li_2', 'li_3'].map((id) => ({ ...fixtures.lineItem, id }));
    respond = (_req, i) =>
      json(
        list(`/v1/checkout/sessions/${CS_ID}/line_items`, items.slice(i * 2, i * 2 + 2), i === 0),
      );
    const got: unknown[] = [];
    for await (const item of checkout().getCheckoutSessionsSessionLineItems.autoPaginate({
      session: CS_ID,
      limit: 2,
    })) {
      got.push(item);
    }
    expect(got).toEqual(items);
    expect(seen.map((r) => r.url.pathname + r.url.search)).toEqual([
      `/v1/checkout/sessions/${CS_ID}/line_items?limit=2`,
      `/v1/checkout/sessions/${CS_ID}/line_items?limit=2&starting_after=li_2`,
    ]);
  });
});

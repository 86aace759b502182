/**
 * Example: run the generated checkout-sessions REST adapter and call it once.
 *
 *   STRIPE_API_KEY=sk_test_... CHECKOUT_SESSIONS_REST_PORT=8080 node --import tsx examples/rest.ts
 *
 * - STRIPE_API_KEY: the Stripe key the adapter uses upstream (callers of the adapter never see it).
 * - CHECKOUT_SESSIONS_REST_PORT / CHECKOUT_SESSIONS_REST_ADDRESS: where the adapter listens
 *   (default 127.0.0.1:8080; port 0 picks a free one).
 * - CHECKOUT_SESSIONS_BASE_URI: optional, sends upstream calls somewhere other than
 *   https://api.stripe.com (a mock, a proxy).
 *
 * The program starts the adapter, lists the three most recent Checkout Sessions through it with a
 * plain `fetch`, prints what came back and shuts the adapter down.
 */
import { main } from '../generated/checkout-sessions/rest.js';

// main() takes the port and address from CHECKOUT_SESSIONS_REST_PORT / _ADDRESS (flags win when
// given, e.g. main({ port: 3000 })). The second argument configures the upstream Stripe client.
const server = await main({}, { maxRetries: 1, timeoutMs: 10_000 });

let failed = false;
try {
  // The adapter serves the capability's routes exactly as written: /v1/v1/checkout/sessions here
  // calls Stripe's GET /v1/checkout/sessions.
  const response = await fetch(`${server.url}/v1/v1/checkout/sessions?limit=3`);
  const body = (await response.json()) as {
    data?: Array<{ id: string; status?: string | null }>;
    error?: { type: string; message: string };
  };
  console.log(`GET /v1/v1/checkout/sessions?limit=3 -> ${response.status}`);
  if (response.ok) {
    for (const session of body.data ?? [])
      console.log(`  ${session.id} ${session.status ?? ''}`.trimEnd());
  } else {
    // Errors keep Stripe's shape: {error: {type, message, param?}}.
    console.log(`  ${body.error?.type}: ${body.error?.message}`);
    failed = true;
  }
} finally {
  // Graceful: waits for in-flight requests, then stops listening.
  await server.close();
}
process.exitCode = failed ? 1 : 0;

/**
 * Example: list Checkout Sessions with the generated typed client.
 *
 *   STRIPE_API_KEY=sk_test_... node --import tsx examples/client.ts
 *
 * - STRIPE_API_KEY: your Stripe secret key (test mode recommended).
 * - CHECKOUT_SESSIONS_BASE_URI: optional, sends the calls somewhere other than
 *   https://api.stripe.com (stripe-mock, a proxy, a test server).
 *
 * The program fetches one page of three sessions, then walks every session with auto-pagination
 * (three per request, following `starting_after` until `has_more` is false) and prints one line
 * per session. A Stripe error is printed with its type, code and request id, and exits 1.
 */
import { ApiError, createCheckoutSessionsClient } from '../generated/checkout-sessions/client.js';

/** The few Checkout Session fields this example prints. */
interface SessionSummary {
  id: string;
  status?: string | null;
  amount_total?: number | null;
  currency?: string | null;
}

/** The generated item type is the full Session with the full Stripe spec, JSON otherwise. */
function summarize(session: unknown): string {
  const s = session as SessionSummary;
  const amount =
    typeof s.amount_total === 'number' && s.currency
      ? `${(s.amount_total / 100).toFixed(2)} ${s.currency.toUpperCase()}`
      : '-';
  return `${s.id} ${s.status ?? 'unknown'} ${amount}`;
}

const apiKey = process.env.STRIPE_API_KEY;
if (!apiKey) {
  console.error('Set STRIPE_API_KEY (e.g. sk_test_...) to run this example.');
  process.exit(2);
}

const client = createCheckoutSessionsClient({
  apiKey,
  // Unset means https://api.stripe.com. (The client also reads this variable by itself.)
  baseUri: process.env.CHECKOUT_SESSIONS_BASE_URI,
  maxRetries: 2,
  timeoutMs: 20_000,
});

try {
  // One page, with status and request id.
  const page = await client.getCheckoutSessions.withResponse({ limit: 3 });
  const first = page.data as { data?: unknown[]; has_more?: boolean };
  console.log(
    `first page: ${first.data?.length ?? 0} session(s), has_more=${first.has_more === true} ` +
      `(HTTP ${page.status}, request ${page.requestId ?? '-'})`,
  );

  // Every session, three per request.
  let count = 0;
  for await (const session of client.getCheckoutSessions.autoPaginate({ limit: 3 })) {
    count++;
    console.log(`  ${summarize(session)}`);
  }
  console.log(`total: ${count} session(s)`);
} catch (error) {
  if (error instanceof ApiError) {
    // Stripe's error object: type (e.g. invalid_request_error), code, param, message.
    console.error(
      `Stripe error ${error.status} ${error.type ?? 'unknown_type'}/${error.code ?? 'no_code'}: ` +
        `${error.message} (request ${error.requestId ?? '-'})`,
    );
  } else {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  process.exitCode = 1;
}

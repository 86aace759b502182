/** The fixed upstream answer: a Stripe-like list of three Checkout Sessions, about 1 KB of JSON. */
const session = (i: number) => ({
  id: `cs_test_a1B2c3D4e5F6g7H8i9J0k${i}`,
  object: 'checkout.session',
  amount_subtotal: 2000,
  amount_total: 2000,
  created: 1700000000 + i,
  currency: 'usd',
  customer_details: { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' },
  livemode: false,
  metadata: { order_id: `673${i}` },
  mode: 'payment',
  payment_status: 'paid',
  status: 'complete',
  url: null,
});

export const UPSTREAM_PAYLOAD = JSON.stringify({
  object: 'list',
  data: [session(1), session(2), session(3)],
  has_more: true,
  url: '/v1/checkout/sessions',
});

// The image's HEALTHCHECK: exit 0 when the server in this container answers GET /healthz with a
// 2xx within 3 seconds, else 1. Both the REST adapter and the MCP server serve /healthz; a control
// port answers 404 there, and is asked /health/ready (every adapter of the capability listening).
const port = process.env.PORT || '8080';
const signal = AbortSignal.timeout(3000);
try {
  let response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal });
  if (response.status === 404)
    response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}

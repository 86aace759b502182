// The image's HEALTHCHECK: exit 0 when the server in this container answers GET /healthz with a
// 2xx within 3 seconds, else 1. Both the REST adapter and the MCP server serve /healthz.
const port = process.env.PORT || '8080';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(3000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}

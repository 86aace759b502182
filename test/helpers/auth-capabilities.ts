/**
 * The capabilities test/naftiko-auth.e2e.test.ts generates (a REST route, an MCP tool and a skill
 * catalog over one upstream call, with the authentication under test), and the MCP messages it
 * sends them.
 */
export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'auth-test', version: '1.0.0' },
  },
});

/** The messages the MCP server answers on its fast path, without the SDK's Server. */
export const FAST_MESSAGES = [
  JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  JSON.stringify({
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/call',
    params: { name: 'test-tool', arguments: {} },
  }),
];

/**
 * A capability calling `GET /hello` upstream from a REST route and an MCP tool; with `skill`
 * authentication, a skill catalog too (one skill taking the MCP tool).
 */
export function capability(
  rest: string,
  mcp: string,
  consumesAuth = '',
  binds = '',
  skill?: string,
): string {
  return `naftiko: "1.0.0-alpha3"
info:
  label: "Auth test"
  description: "Auth test"
${binds}capability:
  exposes:
    - type: "rest"
      address: "localhost"
      port: 18080
      namespace: "sample"
${rest}      resources:
        - path: "/hello"
          name: "hello"
          description: "hello"
          operations:
            - method: "GET"
              call: "upstream.hello"
              outputParameters:
                - type: "string"
                  value: "ok"
    - type: "mcp"
      address: "127.0.0.1"
      port: 18081
      namespace: "auth-test-mcp"
      description: "Test MCP server"
${mcp}      tools:
        - name: "test-tool"
          description: "A test tool"
          call: "upstream.hello"
          outputParameters:
            - type: "string"
              value: "ok"
${
  skill === undefined
    ? ''
    : `    - type: "skill"
      address: "localhost"
      port: 18082
      namespace: "auth-test-skills"
${skill}      skills:
        - name: "greeting"
          description: "Says hello"
          tools:
            - name: "test-tool"
              description: "hello"
              from:
                sourceNamespace: "auth-test-mcp"
                action: "test-tool"
`
}  consumes:
    - type: "http"
      namespace: "upstream"
      baseUri: "http://localhost:1"
${consumesAuth}      resources:
        - path: "/hello"
          name: "hello"
          operations:
            - method: "GET"
              name: "hello"
`;
}

export const auth = (indent: string, fields: Record<string, string | string[]>) =>
  `${indent}authentication:\n${Object.entries(fields)
    .map(([k, v]) =>
      Array.isArray(v)
        ? `${indent}  ${k}:\n${v.map((i) => `${indent}    - "${i}"`).join('\n')}`
        : `${indent}  ${k}: "${v}"`,
    )
    .join('\n')}\n`;
export const BINDS = `binds:
  - namespace: "env"
    keys:
      DIGEST_USER: "DIGEST_USER"
      DIGEST_PASSWORD: "DIGEST_PASSWORD"
      UPSTREAM_USER: "UPSTREAM_USER"
      UPSTREAM_PASSWORD: "UPSTREAM_PASSWORD"
`;

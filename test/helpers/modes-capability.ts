/** A capability that uses every kind of output capgen emits besides the plain client and adapters. */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Writes specs/shop.yaml into the project at `root`, and the files it names under files/: an
 * orchestrated route, a forward, an MCP server with a mock tool, a static resource and a file
 * prompt, a skill whose instruction file is in the project, and a control port with observability.
 */
export function writeModesCapability(root: string): void {
  const files = path.join(root, 'files');
  fs.mkdirSync(path.join(files, 'orders-skill/references'), { recursive: true });
  fs.mkdirSync(path.join(files, 'docs'));
  fs.writeFileSync(
    path.join(files, 'orders-skill/references/guide.md'),
    '# Guide\n\nList first.\n',
  );
  fs.writeFileSync(path.join(files, 'docs/readme.md'), '# Shop\n');
  fs.writeFileSync(path.join(files, 'prompt.md'), 'Explain {{topic}}.');
  const uri = (p: string) => JSON.stringify(pathToFileURL(path.join(files, p)).href);
  fs.writeFileSync(
    path.join(root, 'specs/shop.yaml'),
    `naftiko: "1.0.0-alpha3"
info:
  label: Shop
  description: A shop.
capability:
  exposes:
    - type: rest
      port: 9100
      namespace: shop-rest
      resources:
        - path: /orders
          name: orders
          operations:
            - method: GET
              name: list-orders
              call: shop.list-orders
        - path: /first-order
          name: first-order
          operations:
            - method: GET
              name: first-order
              steps:
                - type: call
                  name: orders
                  call: shop.list-orders
                - type: call
                  name: order
                  call: shop.get-order
                  with:
                    id: "{{orders.0.id}}"
        - path: "/raw/{{path}}"
          forward:
            targetNamespace: shop
    - type: mcp
      port: 9101
      namespace: shop-mcp
      description: Shop tools.
      tools:
        - name: get-order
          description: Get one order.
          call: shop.get-order
          with:
            id: shop-mcp.id
          inputParameters:
            - name: id
              type: string
              description: Order id
        - name: hello
          description: A mock greeting.
          outputParameters:
            - name: greeting
              type: string
              value: hello
      resources:
        - name: docs
          label: Docs
          uri: docs://shop
          description: Shop documentation.
          location: ${uri('docs')}
      prompts:
        - name: from-file
          label: From file
          description: A prompt read from a file.
          arguments:
            - name: topic
              description: Topic
          location: ${uri('prompt.md')}
    - type: skill
      port: 9102
      namespace: shop-skills
      description: Shop skills.
      skills:
        - name: orders
          description: Work with orders.
          location: ${uri('orders-skill')}
          tools:
            - name: list
              description: List orders
              from:
                sourceNamespace: shop-rest
                action: list-orders
            - name: guide
              description: How to work with orders
              instruction: references/guide.md
    - type: control
      port: 9103
      observability:
        traces:
          local:
            buffer-size: 10
  consumes:
    - type: http
      namespace: shop
      baseUri: http://127.0.0.1:9/v1
      resources:
        - name: orders
          path: /orders
          operations:
            - method: GET
              name: list-orders
        - name: order
          path: /orders/{{id}}
          operations:
            - method: GET
              name: get-order
`,
  );
}

/**
 * The format converters (templates/runtime/format-*.ts) against the Naftiko engine's ConverterTest:
 * the same inputs give the same JSON. Then hostile bodies: entity expansion, prototype keys, deep
 * nesting, forged lengths, all refused or made harmless.
 */
import avro from 'avsc';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { JsonValue, OutputFormat, RawFormat } from '../../templates/runtime/contract.js';
import { decodeAvro } from '../../templates/runtime/format-avro.js';
import { decodeDelimited } from '../../templates/runtime/format-delimited.js';
import { decodeHtml } from '../../templates/runtime/format-html.js';
import { decodeMarkdown } from '../../templates/runtime/format-markdown.js';
import { decodeProtobuf } from '../../templates/runtime/format-protobuf.js';
import { decodeXml } from '../../templates/runtime/format-xml.js';
import { decodeYaml } from '../../templates/runtime/format-yaml.js';

const DECODERS: Record<RawFormat, OutputFormat['decode']> = {
  xml: decodeXml,
  yaml: decodeYaml,
  csv: decodeDelimited,
  tsv: decodeDelimited,
  psv: decodeDelimited,
  html: decodeHtml,
  markdown: decodeMarkdown,
  avro: decodeAvro,
  protobuf: decodeProtobuf,
};

function convert(format: RawFormat, body: string | Uint8Array, schema?: string): JsonValue {
  const output: OutputFormat = { format, accept: '*/*', schema, decode: DECODERS[format] };
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  return output.decode({ text, bytes }, output);
}

type Tables = { tables: Array<Array<Record<string, string>>> };

describe('ConverterTest, as the engine asserts it', () => {
  it('html and markdown tables give the same contract', () => {
    const html = `<table><thead><tr><th>Name</th><th>Price</th><th>Stock</th></tr></thead>
      <tbody><tr><td>Widget</td><td>$42</td><td>150</td></tr><tr><td>Gadget</td><td>$99</td><td>30</td></tr></tbody></table>`;
    const markdown =
      '| Name | Price | Stock |\n|------|-------|-------|\n| Widget | $42 | 150 |\n| Gadget | $99 | 30 |\n';
    const fromHtml = convert('html', html) as Tables;
    const fromMarkdown = convert('markdown', markdown) as Tables;
    expect(fromHtml.tables).toEqual(fromMarkdown.tables);
    expect(fromHtml.tables[0][0].Price).toBe('$42');
    expect(fromHtml.tables[0]).toEqual([
      { Name: 'Widget', Price: '$42', Stock: '150' },
      { Name: 'Gadget', Price: '$99', Stock: '30' },
    ]);
  });

  it('html: a CSS selector scopes the tables', () => {
    const html = `<div><table class="ignored"><tr><th>Name</th><th>Stock</th></tr><tr><td>Ignored</td><td>0</td></tr></table>
      <table class="products"><tr><th>Name</th><th>Stock</th></tr><tr><td>Kept</td><td>42</td></tr></table></div>`;
    const root = convert('html', html, 'table.products') as Tables;
    expect(root.tables).toHaveLength(1);
    expect(root.tables[0][0].Name).toBe('Kept');
    // A selected element that is not a table contributes the tables inside it.
    expect((convert('html', html, 'div') as Tables).tables).toHaveLength(2);
  });

  it('html: rows holding a th are skipped', () => {
    const html = `<table><tr><th>Name</th><th>Price</th></tr><tr><th>Widget</th><td>$42</td></tr>
      <tr><td>Gadget</td><td>$99</td></tr></table>`;
    const root = convert('html', html) as Tables;
    expect(root.tables[0]).toEqual([{ Name: 'Gadget', Price: '$99' }]);
  });

  it('markdown: front matter, tables and sections (markup dropped)', () => {
    const markdown = `---\ntitle: Release Notes\nversion: 2.1.0\n---\n\n## Overview\nThis **release** introduces [new features](https://example.com).\n\n| Feature | Status |\n|---------|--------|\n| Search  | GA     |\n`;
    const root = convert('markdown', markdown) as {
      frontMatter: Record<string, string>;
      tables: Tables['tables'];
      sections: Array<{ heading: string; level: number; content: string }>;
    };
    expect(root.frontMatter).toEqual({ title: 'Release Notes', version: '2.1.0' });
    expect(root.tables[0][0].Status).toBe('GA');
    expect(root.sections).toEqual([
      { heading: 'Overview', level: 2, content: 'This release introduces new features.' },
    ]);
  });

  it('markdown: outputSchema filters sections by heading prefix; none keeps all', () => {
    const markdown =
      '## Overview\nGeneral introduction.\n\n## API Reference\nDetails about the API.\n\n## API Usage\nHow to use the API.\n';
    const filtered = convert('markdown', markdown, 'API') as {
      sections: Array<{ heading: string }>;
    };
    expect(filtered.sections.map((s) => s.heading)).toEqual(['API Reference', 'API Usage']);
    expect((convert('markdown', markdown) as { sections: unknown[] }).sections).toHaveLength(3);
  });

  it('html and markdown route one-row tables', () => {
    const html = convert('html', '<table><tr><th>Name</th></tr><tr><td>Alice</td></tr></table>');
    const md = convert('markdown', '| Name | Role |\n|------|------|\n| Alice | User |');
    expect((html as Tables).tables[0][0].Name).toBe('Alice');
    expect((md as Tables).tables[0][0].Name).toBe('Alice');
  });

  it('tsv, psv and csv: rows keyed by the header, values as strings', () => {
    const tsv =
      'id\tname\temail\n1\tAlice Smith\talice@example.com\n2\tBob Johnson\tbob@example.com\n';
    expect(convert('tsv', tsv)).toEqual([
      { id: '1', name: 'Alice Smith', email: 'alice@example.com' },
      { id: '2', name: 'Bob Johnson', email: 'bob@example.com' },
    ]);
    const psv = convert(
      'psv',
      'id|name|email\n1|Alice Smith|alice@example.com\n2|Bob Johnson|bob@example.com\n',
    );
    expect((psv as Array<Record<string, string>>)[1].name).toBe('Bob Johnson');
    const csv = convert('csv', 'name,age\nAlice,42\nBob,39\n') as Array<Record<string, string>>;
    expect(csv[1].age).toBe('39');
    expect(convert('csv', 'id,name\n1,"Smith, Alice"\n')).toEqual([
      { id: '1', name: 'Smith, Alice' },
    ]);
  });

  it('xml drops the root element; yaml keeps its types', () => {
    expect(convert('xml', '<root><name>Alice</name></root>')).toEqual({ name: 'Alice' });
    expect(convert('yaml', 'name: Alice\nage: 42\n')).toEqual({ name: 'Alice', age: 42 });
  });

  it('xml: repeated elements are arrays, attributes properties, text beside them under ""', () => {
    const xml =
      '<?xml version="1.0"?><users><user id="1">Alice &amp; co &#65;</user><user id="2"><name>Bob</name></user></users>';
    expect(convert('xml', xml)).toEqual({
      user: [
        { id: '1', '': 'Alice & co A' },
        { id: '2', name: 'Bob' },
      ],
    });
  });

  it('avro and protobuf without outputSchema: the engine messages', () => {
    expect(() => convert('avro', new Uint8Array([1, 2, 3]))).toThrow(
      'Avro format requires outputSchema to be specified in operation specification',
    );
    expect(() => convert('protobuf', new Uint8Array([1, 2, 3]), '')).toThrow(
      'Protobuf format requires outputSchema to be specified in operation specification',
    );
  });

  it('avro: one datum of the schema; protobuf: the first message type', () => {
    const schema = {
      type: 'record',
      name: 'RecordsList',
      fields: [
        {
          name: 'records',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'Record',
              fields: [
                { name: 'id', type: 'string' },
                { name: 'description', type: ['null', 'string'], default: null },
                { name: 'blob', type: 'bytes' },
              ],
            },
          },
        },
      ],
    };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const bytes = type.toBuffer({
      records: [{ id: '1', description: null, blob: Buffer.from('hi') }],
    });
    expect(convert('avro', bytes, JSON.stringify(schema))).toEqual({
      records: [{ id: '1', description: null, blob: 'aGk=' }],
    });

    const proto =
      'syntax = "proto2";\npackage t;\nmessage List { repeated Item items = 1; }\nmessage Item { required string id = 1; optional int64 n = 2; }';
    const List = protobuf.parse(proto).root.lookupType('t.List');
    const encoded = List.encode(List.fromObject({ items: [{ id: 'a', n: 7 }] })).finish();
    expect(convert('protobuf', encoded, proto)).toEqual({ items: [{ id: 'a', n: 7 }] });
  });
});

describe('hostile bodies', () => {
  it('xml: a DOCTYPE (entity expansion) is refused; so are prototype element names', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    expect(() => convert('xml', laughs)).toThrow(/DOCTYPE/);
    expect(() => convert('xml', '<r><__proto__><x>1</x></__proto__></r>')).toThrow();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(() => convert('xml', 'not xml <<')).toThrow(/line 1/);
    expect(() => convert('xml', '<a/><b/>')).toThrow(/one root element/);
    expect(() => convert('xml', '<a>'.repeat(200) + '</a>'.repeat(200))).toThrow();
  });

  it('csv and yaml: a __proto__ key is an ordinary key, never a prototype', () => {
    const rows = convert('csv', '__proto__,a\n{"x":1},2\n') as Array<Record<string, unknown>>;
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.keys(rows[0])).toEqual(['__proto__', 'a']);
    const doc = convert('yaml', '__proto__: {polluted: 1}\n') as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => convert('csv', 'a,b\n1,2,3\n')).toThrow(/3 values for 2 columns/);
  });

  it('yaml: alias bombs are refused', () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++)
      bomb += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    expect(() => convert('yaml', bomb)).toThrow(/alias/i);
  });

  it('avro: a schema whose array items take no bytes is refused (forged counts would loop)', () => {
    const schema = JSON.stringify({ type: 'array', items: 'null' });
    expect(() => convert('avro', new Uint8Array([0xfe, 0xff, 0xff, 0xff, 0x0f]), schema)).toThrow(
      /take no bytes/,
    );
  });

  it('protobuf and avro: truncated bodies are refused', () => {
    const proto = 'syntax = "proto3";\nmessage M { string s = 1; }';
    expect(() => convert('protobuf', new Uint8Array([0x0a, 0x7f, 0x41]), proto)).toThrow(
      /not a M message/,
    );
    const schema = JSON.stringify({
      type: 'record',
      name: 'R',
      fields: [{ name: 's', type: 'string' }],
    });
    expect(() => convert('avro', new Uint8Array([0x7f, 0x41]), schema)).toThrow(/ends before/);
  });

  it('markdown: deep nesting stops at the parser limit', () => {
    const deep = '>'.repeat(500) + ' x\n';
    expect(() => convert('markdown', deep)).not.toThrow();
  });
});

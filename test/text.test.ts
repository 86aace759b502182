/** Plain text from HTML descriptions: character references, decimal and hexadecimal. */
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../generator/model/text.js';

describe('htmlToText', () => {
  it('decodes decimal and hexadecimal character references, and leaves invalid ones as written', () => {
    expect(htmlToText('It&#x27;s &#39;x&#39; &#X2014; &amp; &#xZZ; &#0; &#x110000;')).toBe(
      "It's 'x' — & &#xZZ; &#0; &#x110000;",
    );
  });
});

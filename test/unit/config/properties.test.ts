import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../../src/config/properties.js';

describe('parseProperties', () => {
  it('reads key=value, key: value and key value, skipping comments and blank lines', () => {
    const props = parseProperties('# comment\n! also\n\na=1\nb : two\nc three\n  d=  spaced  \n');
    expect([...props]).toEqual([['a', '1'], ['b', 'two'], ['c', 'three'], ['d', 'spaced  ']]);
  });

  it('joins backslash continuations and strips the next line\'s leading whitespace', () => {
    const props = parseProperties('listeners=PLAINTEXT://a:1,\\\n    INTERNAL://b:2\nnext=x');
    expect(props.get('listeners')).toBe('PLAINTEXT://a:1,INTERNAL://b:2');
    expect(props.get('next')).toBe('x');
  });

  it('keeps an escaped backslash at line end as a literal', () => {
    expect(parseProperties('path=C:\\\\\nx=1').get('path')).toBe('C:\\');
  });

  it('resolves escapes in keys and values', () => {
    const props = parseProperties('my\\ key=tab\\there\\u0041\\n\\=');
    expect(props.get('my key')).toBe('tab\there' + 'A\n=');
  });

  it('handles CRLF line ends, later keys winning, and keys with empty values', () => {
    const props = parseProperties('a=1\r\na=2\r\nempty=\r\nbare\r\n');
    expect(props.get('a')).toBe('2');
    expect(props.get('empty')).toBe('');
    expect(props.get('bare')).toBe('');
  });

  it('rejects a malformed \\u escape', () => {
    expect(() => parseProperties('a=\\u12')).toThrow(/malformed/);
  });
});

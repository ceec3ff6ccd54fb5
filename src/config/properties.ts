// A parser for Java's .properties format (what Kafka's server.properties uses): `#` and `!`
// comment lines, `=`, `:` or whitespace separators, backslash line continuations, and the
// escapes \t \n \r \f \uXXXX and `\<char>` for any other character. Later keys win.

export interface PropertiesParseResult {
  properties: Map<string, string>;
}

/** Splits the text into logical lines: comments dropped, continuations joined. */
function logicalLines(text: string): string[] {
  const physical = text.split(/\r\n|\r|\n/);
  const lines: string[] = [];
  let pending: string | null = null;
  for (const raw of physical) {
    const line: string = pending === null ? raw.replace(/^[ \t\f]+/, '') : raw.replace(/^[ \t\f]+/, '');
    if (pending === null && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    const joined: string = (pending ?? '') + line;
    if (endsWithOddBackslashes(joined)) {
      pending = joined.slice(0, -1);
      continue;
    }
    lines.push(joined);
    pending = null;
  }
  if (pending !== null) lines.push(pending);
  return lines;
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Index of the first unescaped separator (`=`, `:` or whitespace), or -1. */
function separatorIndex(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '=' || ch === ':' || ch === ' ' || ch === '\t' || ch === '\f') return i;
  }
  return -1;
}

const simpleEscapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Resolves backslash escapes; a malformed \u escape is an error naming the line. */
export function unescapeProperty(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i === text.length - 1) {
      out += ch;
      continue;
    }
    const next = text[++i]!;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`malformed \\uXXXX escape in ${JSON.stringify(text)}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
      continue;
    }
    out += simpleEscapes[next] ?? next;
  }
  return out;
}

function splitKeyValue(line: string): [string, string] {
  const sep = separatorIndex(line);
  if (sep < 0) return [line, ''];
  let valueStart = sep;
  while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++;
  if (valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':') && /[ \t\f]/.test(line[sep]!)) {
    valueStart++;
  } else if (line[sep] === '=' || line[sep] === ':') {
    valueStart = Math.max(valueStart, sep + 1);
  }
  while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++;
  return [line.slice(0, sep), line.slice(valueStart)];
}

/** Parses Java properties text into key/value pairs (insertion order kept, later keys win). */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [rawKey, rawValue] = splitKeyValue(line);
    properties.set(unescapeProperty(rawKey), unescapeProperty(rawValue));
  }
  return properties;
}

import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** One data row of a CSV file, by the line it starts on; `problem` instead of a record when the row itself is malformed. */
export type CsvRow = { line: number; record: Record<string, string>; problem?: undefined } | { line: number; record?: undefined; problem: string };

/** Raised for a file that cannot be read as CSV at all (a quote left open to the end). */
export class CsvFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a CSV file (RFC 4180: comma-separated, fields optionally in double quotes with `""` for a
 * quote, a quoted field may span lines; UTF-8 with or without BOM; LF or CRLF) as records keyed by
 * the header's names, trimmed and lower-cased. Unquoted values are trimmed, empty lines skipped.
 * A row whose field count differs from the header's comes back as a problem, not a record.
 *
 * Written for the member import's tens of millions of rows: a line without a quote — nearly every
 * POS export line — is split on commas directly, about ten times faster than a general parser.
 * `batch` rows are handed over at a time, with the bytes read so far for a progress bar.
 */
export async function* readCsvBatches(file: string, batch: number): AsyncGenerator<{ rows: CsvRow[]; bytes: number }> {
  const decoder = new StringDecoder('utf8');
  let header: string[] | null = null;
  let carry = '';
  let lineNo = 0;
  let bytes = 0;
  let rows: CsvRow[] = [];
  // A record whose quoted field is still open at the end of its line: the lines so far and where it began.
  let open: { text: string; line: number } | null = null;

  const take = (text: string, line: number) => {
    const fields = splitRecord(text);
    if (fields === null) {
      open = { text, line };
      return;
    }
    open = null;
    if (typeof fields === 'string') {
      rows.push({ line, problem: `CSV 格式错误：${fields}` });
      return;
    }
    if (header === null) {
      header = fields.map((h) => h.trim().toLowerCase());
      return;
    }
    if (fields.length !== header.length) {
      rows.push({ line, problem: `CSV 格式错误：表头有 ${header.length} 列，这一行有 ${fields.length} 列` });
      return;
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i++) record[header[i]] = fields[i];
    rows.push({ line, record });
  };

  const takeLine = (raw: string) => {
    lineNo++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (open) take(`${open.text}\n${text}`, open.line);
    else if (text.trim() !== '') take(text, lineNo);
  };

  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      takeLine(text.slice(start, end));
      start = end + 1;
      if (rows.length >= batch) {
        yield { rows, bytes };
        rows = [];
      }
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry !== '') takeLine(carry);
  const unclosed = open as { line: number } | null;
  if (unclosed) throw new CsvFormatError(unclosed.line, `CSV 格式错误：第 ${unclosed.line} 行开始的引号到文件末尾都没有闭合`);
  if (rows.length) yield { rows, bytes };
}

/** The fields of one record; null while a quoted field is still open (the record goes on on the next line); a string saying what is wrong. */
function splitRecord(text: string): string[] | string | null {
  if (!text.includes('"')) return text.split(',').map((f) => f.trim());
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '"') {
      let value = '';
      let from = ++i;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return null;
        if (text[quote + 1] === '"') {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        i = quote + 1;
        break;
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return `第 ${fields.length} 列的引号后面只能是逗号`;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const value = text.slice(i, comma === -1 ? undefined : comma);
      if (value.includes('"')) return `第 ${fields.length + 1} 列：不在引号里的值不能含引号`;
      fields.push(value.trim());
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

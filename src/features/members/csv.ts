import fs from 'node:fs';
import { CsvError, parse, type InfoRecord, type Options } from 'csv-parse';

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

/** csv-parse's errors for one malformed record, in the words a POS operator understands. */
const RECORD_PROBLEMS: Record<string, string> = {
  CSV_INVALID_CLOSING_QUOTE: '引号闭合后面只能是逗号',
  CSV_QUOTE_NOT_CLOSED: '引号没有闭合，从这里到文件末尾都无法读取',
};

/**
 * Reads a CSV file (RFC 4180, UTF-8 with or without BOM, LF or CRLF, quoted fields that may span
 * lines) with csv-parse, as records keyed by the header's names, trimmed and lower-cased. Values
 * are trimmed, empty lines skipped. A row whose field count differs from the header's, or whose
 * quoting is broken, comes back as a problem, not a record, and the read goes on; a quote left
 * open to the end of the file stops it (CsvFormatError), as does a header without one of
 * `requiredColumns`. `batch` rows are handed over at a time,
 * with the bytes read so far for a progress bar. csv-parse's per-record `info` objects cost three
 * times the parse itself at tens of millions of rows, so the line number comes from `on_record`'s
 * context instead: the line a record ends on, less the line breaks inside it. That counter takes
 * a CRLF inside a quoted field for two lines, so those are counted and taken off every later line.
 * After a broken quote csv-parse cannot find the next record: the rest of the file is reported as
 * one unreadable record (the import writes nothing then anyway).
 */
export async function* readCsvBatches(file: string, batch: number, requiredColumns: string[] = []): AsyncGenerator<{ rows: CsvRow[]; bytes: number }> {
  let bytes = 0;
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 }).on('data', (chunk) => (bytes += chunk.length));
  let header: string[] | null = null;
  let rows: CsvRow[] = [];
  let overcounted = 0;
  const options: Options<{ fields: string[]; line: number }, string[]> = {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_record: (fields: string[], context: InfoRecord) => {
      const breaks = lineBreaks(fields);
      overcounted += breaks.crlf;
      return { fields, line: context.lines - overcounted - breaks.all };
    },
  };
  // The typings tie on_record's result to `columns`; records here are plain field arrays.
  const parser = input.pipe(parse(options as unknown as Options));
  // A record csv-parse could not read (a stray quote) is reported on its line.
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    rows.push({ line: (err.lines ?? 0) - overcounted, problem: `CSV 格式错误：${RECORD_PROBLEMS[err.code] ?? err.message}` });
  });
  try {
    for await (const { fields, line } of parser as AsyncIterable<{ fields: string[]; line: number }>) {
      if (header === null) {
        header = fields.map((h) => h.toLowerCase());
        // A wrong header makes every row wrong: say so once, before reading millions of them.
        const missing = requiredColumns.filter((c) => !header!.includes(c));
        if (missing.length) throw new CsvFormatError(line, `表头缺少必需的列：${missing.join(', ')}（这个文件的表头：${header.join(', ')}）`);
        continue;
      }
      if (fields.length !== header.length) {
        rows.push({ line, problem: `CSV 格式错误：表头有 ${header.length} 列，这一行有 ${fields.length} 列` });
      } else {
        const record: Record<string, string> = {};
        for (let i = 0; i < fields.length; i++) record[header[i]] = fields[i];
        rows.push({ line, record });
      }
      if (rows.length >= batch) {
        yield { rows, bytes };
        rows = [];
      }
    }
  } catch (err) {
    if (err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED') {
      const line = ((err as CsvError & { lines?: number }).lines ?? 0) - overcounted;
      throw new CsvFormatError(line, `CSV 格式错误：引号到文件末尾（第 ${line} 行）都没有闭合`);
    }
    throw err;
  }
  if (rows.length) yield { rows, bytes };
}

/** Line breaks inside a record's fields (a CRLF is one), and how many of them are CRLFs. */
function lineBreaks(fields: string[]): { all: number; crlf: number } {
  let all = 0;
  let crlf = 0;
  for (const field of fields) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) {
      all++;
      if (field[at - 1] === '\r') crlf++;
    }
  }
  return { all, crlf };
}

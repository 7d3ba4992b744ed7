import { CsvError, parse } from 'csv-parse/sync';
import type { SetMerchantAddressInput } from './merchant-address.ts';
import type { UseCases } from './use-cases.ts';

/** One data line of an address file. */
export interface AddressRow {
  /** 1-based line in the file, for the report. */
  readonly line: number;
  readonly merchantId: string;
  readonly address: string;
}

export interface BackfillReport {
  /** One line per data line of the file, in file order. */
  readonly lines: readonly string[];
  readonly set: number;
  readonly failed: number;
}

/**
 * `merchant_id,address` lines, read as CSV (RFC 4180, csv-parse): quote an address that holds
 * commas, as spreadsheets export it ("Torstraße 12, 10119 Berlin", with "" for a quote inside);
 * a quote inside an unquoted field is taken as it is. Blanks around fields are trimmed; blank lines
 * and a header line (`merchant_id,address`, names quoted or not) are skipped; lines end with LF,
 * CRLF or CR; empty fields after the address (an extra spreadsheet column) are dropped.
 *
 * An address is one line (a line break in one is refused anyway), so each line is parsed on its
 * own: a broken line is reported by its number and never swallows the lines after it, as an
 * unclosed quote would in a whole-file parse. A third non-empty field is refused rather than
 * guessed at: `m1,Torstr. 12,Berlin` is an unquoted address with a comma or an address and a
 * note, and setting "Torstr. 12,Berlin" or "Torstr. 12" silently would be wrong either way.
 */
export function parseAddressCsv(text: string): (AddressRow | { line: number; problem: string })[] {
  const out: (AddressRow | { line: number; problem: string })[] = [];
  const seen = new Map<string, number>();
  // CRLF, LF, or CR alone (old Mac exports): each ends a line.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [i, content] of lines.entries()) {
    const line = i + 1;
    if (content.trim() === '') continue;
    const fields = parseLine(content);
    if (typeof fields === 'string') {
      out.push({ line, problem: fields });
      continue;
    }
    if (out.length === 0 && isHeader(fields)) continue;
    if (fields.length < 2) {
      out.push({ line, problem: 'expected merchant_id,address' });
      continue;
    }
    if (fields.length > 2) {
      out.push({
        line,
        problem: 'more than two fields: quote an address that holds commas ("Torstraße 12, 10119 Berlin")',
      });
      continue;
    }
    const [merchantId, address] = fields as [string, string];
    if (merchantId === '') {
      out.push({ line, problem: 'merchant_id is empty' });
      continue;
    }
    // Only a line that was read claims its merchant: a corrected line after a broken one is the
    // address meant, not a duplicate.
    const first = seen.get(merchantId);
    if (first !== undefined)
      out.push({ line, problem: `${merchantId} is on line ${first} already: which address is meant?` });
    else {
      seen.set(merchantId, line);
      out.push({ line, merchantId, address });
    }
  }
  return out;
}

/** The fields of one line, without empty ones after the second; or why it is not CSV. */
function parseLine(content: string): string[] | string {
  let records: string[][];
  try {
    records = parse(content, { trim: true, relax_column_count: true, relax_quotes: true });
  } catch (e) {
    const code = e instanceof CsvError ? e.code : undefined;
    if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted field must end with its quote on the same line';
    if (code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' || code === 'CSV_INVALID_CLOSING_QUOTE')
      return 'text after a closing quote: double a quote inside a quoted field ("")';
    return `not CSV: ${e instanceof Error ? e.message : String(e)}`;
  }
  const fields = [...(records[0] ?? [])];
  while (fields.length > 2 && fields.at(-1) === '') fields.pop();
  return fields;
}

function isHeader(fields: readonly string[]): boolean {
  return (
    fields.length === 2 &&
    fields[0]!.toLowerCase() === 'merchant_id' &&
    fields[1]!.toLowerCase() === 'address'
  );
}

/**
 * Sets each row's address on its own (the rest of each profile is left as it is) and reports every
 * row. Rows are independent: one that fails does not stop the others, and running the file again
 * sets the same addresses again, so a fixed file can simply be run once more.
 */
export async function setAddresses(
  uc: { setMerchantAddress: (input: SetMerchantAddressInput) => ReturnType<UseCases['setMerchantAddress']> },
  csv: string,
): Promise<BackfillReport> {
  const lines: string[] = [];
  let set = 0;
  let failed = 0;
  for (const row of parseAddressCsv(csv)) {
    if ('problem' in row) {
      failed++;
      lines.push(`line ${row.line}: not read: ${row.problem}`);
      continue;
    }
    const result = await uc.setMerchantAddress({ merchantId: row.merchantId, address: row.address });
    if (result.ok) {
      set++;
      const shown = result.value.address ? JSON.stringify(result.value.address) : 'cleared';
      lines.push(`line ${row.line}: ${row.merchantId}: ${shown}`);
    } else {
      failed++;
      lines.push(`line ${row.line}: ${row.merchantId}: ${result.error.code}: ${result.error.message}`);
    }
  }
  return { lines, set, failed };
}

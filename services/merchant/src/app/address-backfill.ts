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

/** As typed, or with each name quoted as spreadsheets export it. */
const HEADER = /^("?)merchant_id\1\s*,\s*("?)address\2$/i;

/**
 * `merchant_id,address` lines: the first comma ends the id (ids have none), so an address may
 * hold commas as it is, or be quoted as spreadsheets export it ("Torstraße 12, 10119 Berlin",
 * with "" for a quote; an id may be quoted too). Blank lines and a header line (names quoted or
 * not) are skipped; lines end with LF, CRLF or CR. Empty fields at the end of a line (an extra
 * spreadsheet column: `m1,Torstr. 12,` or `m1,"Torstr. 12, Berlin",`) are dropped; after a
 * quoted address nothing else may follow. Not a general CSV reader: an
 * address is one line (a line break in one is refused anyway), so a record is a line.
 */
export function parseAddressCsv(text: string): (AddressRow | { line: number; problem: string })[] {
  const out: (AddressRow | { line: number; problem: string })[] = [];
  const seen = new Map<string, number>();
  // CRLF, LF, or CR alone (old Mac exports): each ends a line.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [i, content] of lines.entries()) {
    const line = i + 1;
    if (content.trim() === '' || (out.length === 0 && HEADER.test(withoutEmptyTail(content).trim())))
      continue;
    const comma = content.indexOf(',');
    if (comma < 0) {
      out.push({ line, problem: 'expected merchant_id,address' });
      continue;
    }
    const merchantId = unquote(content.slice(0, comma))?.trim();
    const address = unquote(content.slice(comma + 1));
    if (merchantId === undefined) {
      out.push({ line, problem: 'a quoted merchant_id must end with its quote' });
      continue;
    }
    if (address === undefined) {
      out.push({ line, problem: 'a quoted address must end with its quote' });
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

/** A quoted field: its text ("" for a quote inside), then the rest of the line after its closing quote. */
const QUOTED = /^"((?:[^"]|"")*)"(.*)$/s;

function unquote(field: string): string | undefined {
  const trimmed = field.trim();
  // Unquoted, an address may hold commas: only a run of empty fields at the very end is dropped.
  if (!trimmed.startsWith('"')) return withoutEmptyTail(field);
  const quoted = QUOTED.exec(trimmed);
  // Never closed, or a lone quote inside (the field ended early): anything but empty fields after
  // the closing quote is refused rather than guessed at.
  if (!quoted || withoutEmptyTail(quoted[2]!).trim() !== '') return undefined;
  return quoted[1]!.replaceAll('""', '"');
}

/** `field` without empty fields (`,` or `,""`, blanks around them) at its end. */
function withoutEmptyTail(field: string): string {
  let rest = field;
  for (;;) {
    let end = rest.trimEnd();
    if (end.endsWith('""')) {
      // An empty quoted field only when a comma starts it: `"Zum ""Hirsch"""` ends a quoted text.
      const before = end.slice(0, -2).trimEnd();
      if (!before.endsWith(',')) return rest;
      end = before;
    }
    if (!end.endsWith(',')) return rest;
    rest = end.slice(0, -1);
  }
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

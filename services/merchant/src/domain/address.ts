import { textProblem } from '@mealpeak/core';

export const MAX_ADDRESS = 300;

// One line shown to riders as it is: no line or paragraph breaks and no tabs (C0 and DEL are
// textProblem's), no C1 controls (U+0085 is a line break too), and no bidirectional formatting
// (marks, embeddings, overrides, isolates), which can make an address read as another one.
const NOT_ONE_LINE = /[\t\n\r\u0080-\u009F\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * What is wrong with a street address as given, as a field error message; undefined when nothing
 * is. Judged after trimming, as it is stored: surrounding blanks count neither towards the 300
 * characters nor as content, so a blank address is "" (which clears the stored one).
 */
export function addressProblem(given: string): string | undefined {
  const address = given.trim();
  if (NOT_ONE_LINE.test(address))
    return 'must be one line without tabs, control or bidirectional formatting characters';
  return textProblem(address, MAX_ADDRESS);
}

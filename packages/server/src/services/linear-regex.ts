import RE2 from 're2';
import type { RegexEngine } from '@stepwise/core';

/**
 * RE2 (linear time in the length of the text, whatever the pattern) for the patterns a workspace
 * writes itself: custom redaction rules and allowlist patterns. A backtracking engine can take
 * polynomial or exponential time on hostile text (`\d*\d*\d*x` on a long run of digits), and these
 * patterns run on every sync and on previews that any viewer may send.
 */
export const linearRegex: RegexEngine = (source, flags) => {
  try {
    return new RE2(source, flags) as unknown as RegExp;
  } catch {
    // Only settings saved before RE2 was used can get here (new ones are checked with
    // linearRegexProblem); they passed the backtracking shape check when they were saved.
    return new RegExp(source, flags);
  }
};

/** Why RE2 cannot compile `source` (lookaround and backreferences are not linear-time), or null. */
export function linearRegexProblem(source: string, flags: string): string | null {
  try {
    new RE2(source, flags);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `uses syntax the linear-time engine does not support (lookaround and backreferences are not allowed): ${reason}`;
  }
}

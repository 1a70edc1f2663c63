// The built-in detectors. Each one finds candidates with a regular expression that is anchored by a
// lookbehind (so it never restarts inside a run of word characters, which keeps scanning linear)
// and then validates the candidate (checksums, ranges, formats, context) before reporting a hit.
import { cardNumberValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from './checksums.js';

/** The built-in rule families. Each can be switched off in the settings. */
export const RULE_FAMILIES = [
  'email',
  'phone',
  'card',
  'iban',
  'ssn',
  'ip',
  'jwt',
  'private_key',
  'bearer',
  'api_key',
  'secret_key',
] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

/** The placeholder label of each family: `<EMAIL_1>`, `<TOKEN_2>`, … */
export const FAMILY_LABELS: Readonly<Record<RuleFamily, string>> = {
  email: 'EMAIL',
  phone: 'PHONE',
  card: 'CARD',
  iban: 'IBAN',
  ssn: 'SSN',
  ip: 'IP',
  jwt: 'JWT',
  private_key: 'PRIVATE_KEY',
  bearer: 'TOKEN',
  api_key: 'API_KEY',
  secret_key: 'SECRET',
};

/** One detected value: `start`/`end` are UTF-16 offsets (end exclusive) in the scanned string. */
export interface Hit {
  rule: string;
  label: string;
  start: number;
  end: number;
  /** Lower wins when two hits start at the same offset with the same length. */
  priority: number;
}

export interface Detector {
  rule: string;
  label: string;
  priority: number;
  /**
   * True when nothing this detector finds can lack a decimal digit. The redactor tests a string for
   * a digit once and skips such detectors on strings without one (most prose), instead of running
   * each one's scan to find nothing.
   */
  needsDigit?: boolean;
  /** Appends the hits found in `s` to `out`. */
  find(s: string, out: Hit[]): void;
  /** Normalizes a matched value so that spellings of the same value share a placeholder. */
  canonical(value: string): string;
}

const identity = (v: string): string => v;
const digitsOnly = (v: string): string => v.replace(/\D/g, '');

function push(out: Hit[], d: Detector, start: number, end: number): void {
  out.push({ rule: d.rule, label: d.label, start, end, priority: d.priority });
}

// ---------------------------------------------------------------------------------------------
// email

const EMAIL_RE =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-])/g;
// `icon@2x.png` and `bundle@1x.js` are asset names, not addresses.
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'mjs', 'css', 'map', 'json', 'html', 'pdf']);

const TOKEN_USERINFO_RE = /^(?:gh[pousr]_|github_pat_|x-access-token|oauth2)/;

const email: Detector = {
  rule: 'email',
  label: FAMILY_LABELS.email,
  priority: 5,
  find(s, out) {
    // Run the regex only near each '@' (a local part is at most 64 characters).
    let pos = 0;
    for (let at = s.indexOf('@'); at >= 0; at = s.indexOf('@', Math.max(pos, at + 1))) {
      EMAIL_RE.lastIndex = Math.max(pos, at - 65);
      const m = EMAIL_RE.exec(s);
      if (m === null) break;
      pos = m.index + m[0].length;
      if (FILE_TLDS.has((m[1] ?? '').toLowerCase())) continue;
      // `https://ghp_…@github.com`: the part before @ is a token, left to the api_key rule.
      if (TOKEN_USERINFO_RE.test(m[0])) continue;
      push(out, this, m.index, m.index + m[0].length);
    }
  },
  canonical: (v) => v.toLowerCase(),
};

// ---------------------------------------------------------------------------------------------
// phone

// A run of digits with the separators phone numbers use, optionally with `+`/`(` in front and an
// extension behind. It may not start right after a word character, `-`, `.`, `/`, `:`, `$` or `#`
// (ids, decimals, paths, ports, prices), nor end before one (except `-Office`-style labels).
const PHONE_RE = /(?<![\w+\-./:$#@])(?:\+|\(\+?)?\d[\d().\- /]{4,24}\d(?:\s?(?:x|ext\.?|#)\s?\d{1,6})?(?![\w/@]|-\d|[.,:]\d)/gi;
const TRAILING_GROUP_RE = /[^\d]+\d+$/;
const PHONE_EXT_RE = /\s?(?:x|ext\.?|#)\s?\d{1,6}$/i;
const US_PHONE_RE = /^(?:1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;
const AREA_IN_PARENS_RE = /^\(\d{2,4}\) ?\d{3,5}[-. ]?\d{3,4}$/;
const NATIONAL_TRUNK_RE = /^(?:\(0[1-9]\d{0,4}\)|0[1-9]\d{0,4})(?:[ /.-]\d{2,8}){1,4}$/;
const SSN_SHAPE_RE = /^\d{3}-\d{2}-\d{4}$/;
const DATE_LIKE_RE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const PHONE_CONTEXT_BEFORE_RE =
  /\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|sms|dial|(?:call|reach|text|ring)(?: (?:me|us|you|them))?(?: (?:on|at))?|answering (?:on|at)|registered(?: [a-z]+){0,3})\b[^\w\n]{0,4}$/i;
// A label ending its line, the number on the next: `Phone:\n555 0142`.
const PHONE_LABEL_LINE_RE = /\b(?:phone|tel|telephone|mobile|cell|fax)(?: (?:number|no\.?))?[^\S\n]*:[^\S\n]*\n[^\S\n]*$/i;
const PHONE_CONTEXT_AFTER_RE = /^[^\w\n]{0,2}(?:office|fax|mobile|cell|home|work|phone)\b/i;

/**
 * Without context, only formats that are hard to confuse with other numbers count as phones:
 * `+CC …` international, `00CC …`, US `(555) 123-4567`/`555-123-4567`, an area code in
 * parentheses, and national numbers with a trunk `0` and separators (UK `020 7946 0958`, DE
 * `030 12345678`, FR `01 23 45 67 89`, NL `06-12345678`). With a phone word nearby ("call",
 * "Phone:", "answering at", "registered", "… mobile", or a `Phone:` label ending the line before),
 * any grouped run of 6–15 digits counts. Dates never count.
 */
export function phoneAccepted(candidate: string, before: string, after: string): boolean {
  const core = /\d$/.test(candidate) && !/[xX#t]/.test(candidate) ? candidate : candidate.replace(PHONE_EXT_RE, '');
  const n = countDigits(core);
  if (n < 6 || n > 17) return false;
  if (DATE_LIKE_RE.test(core) || SSN_SHAPE_RE.test(core)) return false;
  const digits = digitsOnly(core);
  const hasSeparator = /[^\d+]/.test(core);
  if (core.startsWith('+')) return n >= 8 && n <= 15 && digits[0] !== '0';
  if (core.startsWith('00') && core[2] !== '0') return n >= 10 && n <= 17 && hasSeparator;
  if (n > 15) return false;
  if (US_PHONE_RE.test(core) || AREA_IN_PARENS_RE.test(core)) return true;
  if (NATIONAL_TRUNK_RE.test(core) && n >= 9 && n <= 12) {
    // `0.12345678` is a decimal, not a number with a trunk prefix: dots must separate 3+ groups.
    const dots = core.split('.').length - 1;
    if (dots === 0 || dots >= 2) return true;
  }
  if (!(hasSeparator || n >= 7) || !/^\(?\d[\d().\- ]*$/.test(core)) return false;
  return PHONE_CONTEXT_BEFORE_RE.test(before) || PHONE_LABEL_LINE_RE.test(before) || PHONE_CONTEXT_AFTER_RE.test(after);
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** The longest prefix of whole digit groups with at most `max` digits. */
function capDigits(s: string, max: number): string {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57 || ++n <= max) continue;
    let j = i - 1;
    while (j >= 0 && /\d/.test(s[j] ?? '')) j--;
    while (j >= 0 && !/\d/.test(s[j] ?? '')) j--;
    return s.slice(0, j + 1);
  }
  return s;
}

/**
 * Where a second number could start inside a rejected run: at `(` or `+` after a space, or after
 * two or more spaces. Not after single separators, or `9400 1000 0000 0000` would yield `0000 0000 0000`.
 */
function nextPhoneStart(run: string): number {
  for (let i = 2; i < run.length; i++) {
    if (run[i - 1] !== ' ') continue;
    const c = run[i];
    if (c === '(' || c === '+' || (c !== undefined && c >= '0' && c <= '9' && run[i - 2] === ' ')) return i;
  }
  return run.length;
}

const phone: Detector = {
  rule: 'phone',
  needsDigit: true,
  label: FAMILY_LABELS.phone,
  priority: 9,
  find(s, out) {
    PHONE_RE.lastIndex = 0;
    for (let m = PHONE_RE.exec(s); m !== null; m = PHONE_RE.exec(s)) {
      const start = m.index;
      const before = s.slice(Math.max(0, start - 28), start);
      // The run may have swallowed a neighbour (`(200) 200-0000 ) 0.0.0.0`): try shorter prefixes
      // ending at a group boundary (at most ~13, as the run is short), then a later start in it.
      let text = m[0];
      // Two blanks end a number; and no phone has more than 17 digits, so start from the longest
      // prefix of whole groups within that.
      const gap = text.indexOf('  ');
      if (gap > 0) text = text.slice(0, gap).replace(/\D+$/, '');
      if (!PHONE_EXT_RE.test(text)) text = capDigits(text, 17);
      // A date is not a phone, nor is any shorter part of it (`registered 2026-03-13`).
      if (DATE_LIKE_RE.test(text)) text = '';
      let accepted = 0;
      while (text.length >= 6) {
        const end = start + text.length;
        if (phoneAccepted(text, before, s.slice(end, end + 12))) {
          accepted = text.length;
          break;
        }
        const shorter = text.replace(TRAILING_GROUP_RE, '');
        if (shorter === text) break;
        text = shorter;
      }
      if (accepted > 0) {
        push(out, this, start, start + accepted);
        PHONE_RE.lastIndex = start + accepted;
      } else PHONE_RE.lastIndex = start + nextPhoneStart(m[0]);
    }
  },
  canonical: digitsOnly,
};

// ---------------------------------------------------------------------------------------------
// payment cards

const CARD_RE = /(?<![\w.\-+,$])\d(?:[ -]?\d){11,18}(?![\w]|[.,]\d)/g;
// Right after "card", "card number", "credit card", "cc" (and "no.", "#", "is", quotes, a colon).
const CARD_CONTEXT_RE = /\b(?:(?:credit|debit|payment) card|card|cc)(?: (?:number|num|no\.?))?(?: (?:is|was))?[^\w\n]{0,4}$/i;

/**
 * Length of the card number at the start of `candidate`, or 0. Separated numbers must use one
 * separator and groups of 4–6 digits (4-4-4-4, Amex 4-6-5); when a trailing group does not belong
 * to the card (`4111 1111 1111 1111 2 items`) the longest valid prefix of whole groups wins.
 * `named` (the text says it is a card) accepts any Luhn-valid number of 12–19 digits, whatever
 * its prefix: issuers outside the known ranges (12-digit Maestro, 15-digit JCB 1800/2131).
 */
export function cardLength(candidate: string, named = false): number {
  const valid = (digits: string) => (named ? digits.length >= 12 && digits.length <= 19 && luhnValid(digits) : cardNumberValid(digits));
  if (!/[ -]/.test(candidate)) return valid(candidate) ? candidate.length : 0;
  const sep = candidate.includes(' ') ? ' ' : '-';
  if (candidate.includes(sep === ' ' ? '-' : ' ')) return 0;
  const groups = candidate.split(sep);
  // Every group but the last must have 4-6 digits: find how far that holds, then try the longest
  // prefix first.
  let k = 1;
  while (k < groups.length && (groups[k - 1] ?? '').length >= 4 && (groups[k - 1] ?? '').length <= 6) k++;
  for (; k >= 2; k--) {
    const head = groups.slice(0, k);
    const last = head[head.length - 1] ?? '';
    if (last.length < 1 || last.length > 6) continue;
    const digits = head.join('');
    if (digits.length >= (named ? 12 : 13) && valid(digits)) return head.join(sep).length;
  }
  return 0;
}

const card: Detector = {
  rule: 'card',
  needsDigit: true,
  label: FAMILY_LABELS.card,
  priority: 6,
  find(s, out) {
    CARD_RE.lastIndex = 0;
    for (let m = CARD_RE.exec(s); m !== null; m = CARD_RE.exec(s)) {
      // `qty 12 4111 1111 1111 1111`: when the run does not start with a card, retry from each group.
      let text = m[0];
      let offset = 0;
      // Separated cards are built of 4-6 digit groups; a run without one holds no card.
      if (/[ -]/.test(text) && !/\d{4}/.test(text)) continue;
      const named = CARD_CONTEXT_RE.test(s.slice(Math.max(0, m.index - 24), m.index));
      while (text.length >= 12) {
        const len = cardLength(text, named && offset === 0);
        if (len > 0) {
          push(out, this, m.index + offset, m.index + offset + len);
          CARD_RE.lastIndex = m.index + offset + len;
          break;
        }
        const next = text.search(/[ -]/);
        if (next < 0) break;
        offset += next + 1;
        text = text.slice(next + 1);
      }
    }
  },
  canonical: digitsOnly,
};

// ---------------------------------------------------------------------------------------------
// IBAN

const IBAN_RE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])/g;

const iban: Detector = {
  rule: 'iban',
  needsDigit: true,
  label: FAMILY_LABELS.iban,
  priority: 4,
  find(s, out) {
    IBAN_RE.lastIndex = 0;
    for (let m = IBAN_RE.exec(s); m !== null; m = IBAN_RE.exec(s)) {
      // A grouped IBAN followed by a short word (`… 3000 is mine`) is retried without that word.
      let text = m[0];
      for (;;) {
        if (ibanValid(text.replace(/ /g, ''))) {
          push(out, this, m.index, m.index + text.length);
          IBAN_RE.lastIndex = m.index + text.length;
          break;
        }
        const cut = text.lastIndexOf(' ');
        if (cut < 0) break;
        text = text.slice(0, cut);
      }
    }
  },
  canonical: (v) => v.replace(/ /g, '').toUpperCase(),
};

// ---------------------------------------------------------------------------------------------
// US SSN

// One pass finds `123-45-6789`, `123 45 6789` and `123456789`; the last two need an SSN word just
// before them (`SSN: …`, `social security number is …`), because suite numbers and ids look alike.
const SSN_RE = /(?<![\w\-./])(?:(\d{3})([- ])(\d{2})\2(\d{4})|\d{9})(?![\w-]|[./]\d)/g;
const SSN_CONTEXT_RE = /(?:ssn|social security(?: number| no\.?)?|ss#)\W{0,6}(?:is\W{0,3})?$/i;

const ssn: Detector = {
  rule: 'ssn',
  needsDigit: true,
  label: FAMILY_LABELS.ssn,
  priority: 7,
  find(s, out) {
    SSN_RE.lastIndex = 0;
    for (let m = SSN_RE.exec(s); m !== null; m = SSN_RE.exec(s)) {
      const dashed = m[2] === '-';
      if (!ssnValid(dashed || m[2] === ' ' ? `${m[1]}${m[3]}${m[4]}` : m[0])) continue;
      if (!dashed && !SSN_CONTEXT_RE.test(s.slice(Math.max(0, m.index - 30), m.index))) continue;
      push(out, this, m.index, m.index + m[0].length);
    }
  },
  canonical: digitsOnly,
};

// ---------------------------------------------------------------------------------------------
// IP addresses

// Version strings versus IPv4: a dotted quad is an address unless it reads as a version — it is
// prefixed by a letter (`v1.2.3.4`, `build1.2.3.4`), preceded by a version word (`version 1.2.3.4`,
// `ver. 1.2.3.4`, `release 1.2.3.4`, `firmware 1.2.3.4`), followed by a pre-release or build tag
// (`1.2.3.4-beta`, `1.2.3.4+build7`), or part of a longer dotted run (`10.0.19041.1`, `1.3.6.1.4.1`,
// which also fail the 0–255 octet check). A bare `1.2.3.4` is redacted: it is a valid address and a
// leaked address costs more than a hidden version number.
const IPV4_RE = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d|-[A-Za-z]|\+\w)/g;
const VERSION_CONTEXT_RE = /\b(?:version|ver\.?|release|build|firmware|kernel|chrome|safari|firefox|node|python)\s*[:=]?\s*$/i;
const IPV4_HINT = /\d\.\d{1,3}\.\d{1,3}\.\d/;
// Where an IPv6 address may be: `x::`, `::x` or `x:x:x:`. The full candidate regex only runs in a
// window around each such spot, because it is slow over long code-like text full of colons.
const IPV6_HINT_RE = /[0-9A-Fa-f]::|::[0-9A-Fa-f]|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:/g;
const IPV6_RE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?![\w:]|\.\w)/g;

const ipv4: Detector = {
  rule: 'ip',
  label: FAMILY_LABELS.ip,
  priority: 3,
  needsDigit: true,
  find(s, out) {
    if (!IPV4_HINT.test(s)) return;
    IPV4_RE.lastIndex = 0;
    for (let m = IPV4_RE.exec(s); m !== null; m = IPV4_RE.exec(s)) {
      if (!ipv4Valid(m[0])) continue;
      if (VERSION_CONTEXT_RE.test(s.slice(Math.max(0, m.index - 12), m.index))) continue;
      push(out, this, m.index, m.index + m[0].length);
    }
  },
  canonical: (v) => v.toLowerCase(),
};

// An IPv6 address may have no decimal digit (`fd::ab`), so this one runs on every string with a colon.
const ipv6: Detector = {
  rule: 'ip',
  label: FAMILY_LABELS.ip,
  priority: 3,
  find(s, out) {
    if (s.indexOf(':') < 0) return;
    let pos = 0;
    for (;;) {
      IPV6_HINT_RE.lastIndex = pos;
      const hint = IPV6_HINT_RE.exec(s);
      if (hint === null) break;
      // An address is at most 45 characters, so it starts within 48 of its hint.
      IPV6_RE.lastIndex = Math.max(pos, hint.index - 48);
      const m = IPV6_RE.exec(s);
      if (m === null) break;
      if (ipv6Valid(m[0])) push(out, this, m.index, m.index + m[0].length);
      pos = m.index + m[0].length;
    }
  },
  canonical: (v) => v.toLowerCase(),
};

// ---------------------------------------------------------------------------------------------
// secrets with a recognizable shape

const JWT_RE = /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

const jwt: Detector = {
  rule: 'jwt',
  label: FAMILY_LABELS.jwt,
  priority: 1,
  find(s, out) {
    if (s.indexOf('eyJ') < 0) return;
    JWT_RE.lastIndex = 0;
    for (let m = JWT_RE.exec(s); m !== null; m = JWT_RE.exec(s)) push(out, this, m.index, m.index + m[0].length);
  },
  canonical: identity,
};

// The whole block, BEGIN to END. A block cut off before its END line is redacted to the end of its
// base64 body, so a half-pasted key does not leak either.
const PEM_RE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[A-Za-z0-9+/=\s\\:,-]*)/g;

const privateKey: Detector = {
  rule: 'private_key',
  label: FAMILY_LABELS.private_key,
  priority: 0,
  find(s, out) {
    if (s.indexOf('PRIVATE KEY-----') < 0) return;
    PEM_RE.lastIndex = 0;
    for (let m = PEM_RE.exec(s); m !== null; m = PEM_RE.exec(s)) {
      push(out, this, m.index, m.index + m[0].replace(/[\s\\n]+$/, '').length);
    }
  },
  canonical: identity,
};

// Only the token is replaced (`Authorization: Bearer <TOKEN_1>`), so the header stays readable.
const BEARER_RE = /(?<![\w-])bearer\s+([A-Za-z0-9\-._~+/]{8,}=*)/gi;

const bearer: Detector = {
  rule: 'bearer',
  label: FAMILY_LABELS.bearer,
  priority: 2,
  find(s, out) {
    if (s.indexOf('earer') < 0 && s.indexOf('EARER') < 0) return;
    BEARER_RE.lastIndex = 0;
    for (let m = BEARER_RE.exec(s); m !== null; m = BEARER_RE.exec(s)) {
      const token = m[1] ?? '';
      // "bearer instrument" is prose; tokens are long or contain digits/symbols.
      if (token.length < 16 && !/[\d\-._~+/=]/.test(token)) continue;
      const start = m.index + m[0].length - token.length;
      push(out, this, start, start + token.length);
    }
  },
  canonical: identity,
};

// Two scans instead of one regex with a ten-way alternation (which irregexp tries at every
// position): AWS and Google keys start with a literal `A`, which is found fast; the others have a
// short prefix ending in `-` or `_`, so the scan looks for such a separator first and then tries the
// full pattern at the few prefix lengths that exist (sk, ghp, xoxb, github).
const UPPERCASE_KEY_RE = /(?<![A-Za-z0-9_-])(?:A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}|AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])/g; // AWS key ids, Google
const KEY_SEPARATOR_RE = /[-_](?<=[abkoprstuw][-_])/g;
const PREFIXED_KEY_RE = new RegExp(
  '(?:' +
    [
      'gh[pousr]_[A-Za-z0-9]{36,255}', // GitHub tokens
      'github_pat_[A-Za-z0-9_]{22,255}', // GitHub fine-grained tokens
      'sk-[A-Za-z0-9_-]{20,}', // OpenAI sk-…, sk-proj-…, Anthropic sk-ant-…
      'xox[baprs]-[A-Za-z0-9-]{10,}', // Slack
      '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}', // Stripe
      'sw_[A-Za-z0-9_-]{22,}', // Stepwise API keys
    ].join('|') +
    ')(?![A-Za-z0-9_-])',
  'y',
);
const PREFIX_LENGTHS = [2, 3, 4, 6];

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/** Random keys mix character classes; `sw_long_snake_case_identifier` does not. */
function looksRandom(body: string): boolean {
  let classes = 0;
  if (/[a-z]/.test(body)) classes++;
  if (/[A-Z]/.test(body)) classes++;
  if (/\d/.test(body)) classes++;
  return classes >= 2;
}

function plausibleKey(v: string): boolean {
  if (v.startsWith('sk-')) return /\d/.test(v) && looksRandom(v.slice(3));
  if (v.startsWith('sw_')) return looksRandom(v.slice(3));
  return true;
}

const apiKey: Detector = {
  rule: 'api_key',
  label: FAMILY_LABELS.api_key,
  priority: 1,
  find(s, out) {
    if (s.indexOf('A') >= 0) {
      UPPERCASE_KEY_RE.lastIndex = 0;
      for (let m = UPPERCASE_KEY_RE.exec(s); m !== null; m = UPPERCASE_KEY_RE.exec(s)) push(out, this, m.index, m.index + m[0].length);
    }
    if (s.indexOf('-') < 0 && s.indexOf('_') < 0) return;
    KEY_SEPARATOR_RE.lastIndex = 0;
    for (let sep = KEY_SEPARATOR_RE.exec(s); sep !== null; sep = KEY_SEPARATOR_RE.exec(s)) {
      for (const len of PREFIX_LENGTHS) {
        const start = sep.index - len;
        if (start < 0 || (start > 0 && isKeyChar(s.charCodeAt(start - 1)))) continue;
        PREFIXED_KEY_RE.lastIndex = start;
        const m = PREFIXED_KEY_RE.exec(s);
        if (m === null || !plausibleKey(m[0])) continue;
        push(out, this, start, start + m[0].length);
        KEY_SEPARATOR_RE.lastIndex = start + m[0].length;
        break;
      }
    }
  },
  canonical: identity,
};

// Scanning for the keywords themselves at every position is slow, so the scan looks for the last two
// letters of a keyword followed by `=` or `:` (rare in prose), and only then checks the keyword.
// (Written as "find `=`/`:`, then look behind", which irregexp scans about twice as fast.)
const SECRET_ASSIGNMENT_HINT_RE = /[=:](?<=(?:[wrWR][dD]|[eE][tTnNyY])["']?[ \t]*[=:])[ \t]*["']?/g;
const SECRET_KEYWORD_BEFORE_RE = /(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)$/i;
const SECRET_VALUE_RE = /[^\s"'&,;<>]{6,}/y;

const secretAssignment: Detector = {
  rule: 'secret_key',
  label: FAMILY_LABELS.secret_key,
  priority: 8,
  find(s, out) {
    if (s.indexOf('=') < 0 && s.indexOf(':') < 0) return;
    SECRET_ASSIGNMENT_HINT_RE.lastIndex = 0;
    for (let m = SECRET_ASSIGNMENT_HINT_RE.exec(s); m !== null; m = SECRET_ASSIGNMENT_HINT_RE.exec(s)) {
      // The keyword ends before the blanks and the optional quote that precede `=`/`:`.
      let keywordEnd = m.index;
      while (keywordEnd > 0 && (s[keywordEnd - 1] === ' ' || s[keywordEnd - 1] === '\t')) keywordEnd--;
      if (s[keywordEnd - 1] === '"' || s[keywordEnd - 1] === "'") keywordEnd--;
      if (!SECRET_KEYWORD_BEFORE_RE.test(s.slice(Math.max(0, keywordEnd - 16), keywordEnd))) continue;
      const valueStart = m.index + m[0].length;
      SECRET_VALUE_RE.lastIndex = valueStart;
      const v = SECRET_VALUE_RE.exec(s);
      if (!v) continue;
      const value = v[0];
      // Values without a digit or symbol must be 12+ characters, so "token: expired" stays.
      if (value.length < 12 && !/[\d\W_]/.test(value)) continue;
      push(out, this, valueStart, valueStart + value.length);
      SECRET_ASSIGNMENT_HINT_RE.lastIndex = valueStart + value.length;
    }
  },
  canonical: identity,
};

/** The built-in text detectors of each family (`secret_key` also covers JSON keys, see walk). */
export const BUILTIN_DETECTORS: Readonly<Record<RuleFamily, readonly Detector[]>> = {
  email: [email],
  phone: [phone],
  card: [card],
  iban: [iban],
  ssn: [ssn],
  ip: [ipv4, ipv6],
  jwt: [jwt],
  private_key: [privateKey],
  bearer: [bearer],
  api_key: [apiKey],
  secret_key: [secretAssignment],
};

// ---------------------------------------------------------------------------------------------
// secret-looking JSON keys

const SECRET_KEYS_EXACT = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'secrets',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'authorization',
  'auth',
  'cookie',
  'cookies',
  'setcookie',
  'session',
  'sessionid',
  'credentials',
  'credential',
  'clientsecret',
  'passphrase',
  'xapikey',
  'proxyauthorization',
  'secretkey',
  'pin',
  'cvv',
  'cvc',
]);
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'secretkey',
  'credentials',
  'cookie',
  'sessionid',
  'authorization',
  'passphrase',
  'signingkey',
  'encryptionkey',
];
// Pagination cursors end in "token" but are not secrets, and redacting them breaks debugging.
const NOT_SECRET_KEYS = new Set(['nexttoken', 'pagetoken', 'nextpagetoken', 'continuationtoken', 'cursortoken', 'maxtoken']);

const secretKeyCache = new Map<string, boolean>();

/**
 * Whether a JSON key names a secret (`password`, `X-Api-Key`, `client_secret`, `githubToken`,
 * `Set-Cookie`, …), case-insensitive and ignoring `-`, `_`, `.` and spaces. Counts such as
 * `tokens`, `max_tokens` or `token_count` are not secrets.
 */
export function isSecretKey(key: string): boolean {
  const cached = secretKeyCache.get(key);
  if (cached !== undefined) return cached;
  const k = key.toLowerCase().replace(/[-_. ]/g, '');
  const secret = !NOT_SECRET_KEYS.has(k) && (SECRET_KEYS_EXACT.has(k) || SECRET_KEY_SUFFIXES.some((suffix) => k.endsWith(suffix)));
  if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret);
  return secret;
}

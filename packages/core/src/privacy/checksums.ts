// Checksum and range validators that keep the numeric detectors from redacting order numbers,
// timestamps and ids that merely look like cards, IBANs or SSNs.

/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Whether 13–19 digits have the length and issuer prefix of a payment card (Visa, Mastercard,
 * Amex, Diners, JCB, Discover, UnionPay, Maestro) and pass Luhn. The prefix check rejects Unix
 * millisecond timestamps (13 digits starting with 1) that happen to pass Luhn one time in ten.
 */
export function cardNumberValid(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const first = digits.charCodeAt(0) - 48;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  let brandOk = false;
  if (first === 4) brandOk = n === 13 || n === 16 || n === 19;
  else if (two === 34 || two === 37) brandOk = n === 15;
  else if (two >= 51 && two <= 55) brandOk = n === 16;
  else if (four >= 2221 && four <= 2720) brandOk = n === 16;
  else if (two === 30 || two === 36 || two === 38 || two === 39) brandOk = n >= 14 && n <= 19;
  else if (two === 35) brandOk = n >= 16 && n <= 19;
  else if (first === 6) brandOk = n >= 16 && n <= 19;
  else if (four === 5018 || four === 5020 || four === 5038 || four === 5893) brandOk = n >= 12;
  return brandOk && luhnValid(digits);
}

/** IBAN lengths per country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** Whether a compact IBAN (no spaces, any case) has its country's length and passes mod-97. */
export function ibanValid(compact: string): boolean {
  const iban = compact.toUpperCase();
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined || iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

// Numbers that were printed on sample cards or in advertising and are not anyone's SSN.
const SAMPLE_SSNS = new Set(['078051120', '219099999', '457555462']);

/** Whether nine digits are a possible US SSN: no area 000/666/9xx, group 00, serial 0000, or sample. */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  return !SAMPLE_SSNS.has(digits);
}

/** Whether `s` is a dotted-quad IPv4 address with octets 0–255 and no leading zeros. */
export function ipv4Valid(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return false;
    if (p.length > 1 && p.startsWith('0')) return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

/**
 * Whether `s` is an IPv6 address (full, `::`-compressed, or with a trailing IPv4). A zone
 * suffix is not accepted. At least one digit is required so that `Dead::Beef`-style names in
 * code are not taken for addresses.
 */
export function ipv6Valid(s: string): boolean {
  if (!/\d/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] | null => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i] ?? '';
    if (i === all.length - 1 && g.includes('.')) {
      if (!ipv4Valid(g)) return false;
      count += 2;
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
      count += 1;
    }
  }
  if (halves.length === 2) return count <= 7;
  return count === 8;
}

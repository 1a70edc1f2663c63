// Reading agent responses: which specifics they state, whether they admit not knowing, whether they
// claim an action was done. Deliberately lexical: deterministic, explainable, fast.

/** A concrete claim in a response that should come from somewhere: a number, an id, a name. */
export interface Specific {
  text: string;
  kind: 'number' | 'id' | 'email' | 'url' | 'name' | 'date';
  /** For dates: the month and day (`5-19`), so `May 19, 2024` is found as `2024-05-19`. */
  key?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const MONTH_DAY_RE = new RegExp(String.raw`\b(${MONTH})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`, 'gi');
const DAY_MONTH_RE = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${MONTH})\b\.?(?:,?\s+(\d{4})\b)?`, 'gi');
const ISO_DATE_RE = /\b\d{4}-(\d{2})-(\d{2})\b/g;

function dateKey(month: string, day: string): string | undefined {
  const m = MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  const d = Number(day);
  return m < 0 || d < 1 || d > 31 ? undefined : `date:${m + 1}-${d}`;
}

// Markdown labels and headings are layout, not claims: "- **Trip Type:** Round Trip", "### Outbound Flight".
const HEADING_LINE_RE = /^[ \t]*#{1,6}[ \t].*$/gm;
const BOLD_LINE_RE = /^[ \t]*(?:[-*•][ \t]+|\d+[.)][ \t]+)?(?:\*\*|__)[^*_\n]+(?:\*\*|__):?[ \t]*$/gm;
const BOLD_LABEL_RE = /(?:\*\*|__)[^*_\n]{1,60}?(?::(?:\*\*|__)|(?:\*\*|__):)/g;
const LINE_LABEL_RE = /^([ \t]*(?:[-*•][ \t]+|\d+[.)][ \t]+)?)[A-Za-z][\w ()/'-]{0,40}:(?=\s)/gm;

/** The text with Markdown headings and `Label:` prefixes blanked, for reading names. */
function withoutLabels(text: string): string {
  return text
    .replace(HEADING_LINE_RE, ' ')
    .replace(BOLD_LINE_RE, ' ')
    .replace(BOLD_LABEL_RE, ' ')
    .replace(LINE_LABEL_RE, (_m, lead: string) => `${lead} `);
}

const URL_RE = /\bhttps?:\/\/[^\s)>\]"']+/gi;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred';
const UNITS =
  '%|percent|business days?|calendar days?|days?|hours?|hrs?|weeks?|months?|years?|minutes?|mins?|seconds?|usd|eur|gbp|dollars?|euros?|pounds?|gb|mb|kb|tb|km|miles?|kg|lbs?|items?|times'; // prettier-ignore
const NUMBER_RE = new RegExp(
  String.raw`(?:[$€£]\s?)?(?<![\w.])\d+(?:[.,]\d+)*(?![\w@])(?:\s?(?:${UNITS})\b)?|\b(?:${NUMBER_WORDS})[\s-](?:${UNITS})\b`,
  'gi',
);
const HAS_UNIT = new RegExp(String.raw`(?:${UNITS})$|^[$€£]`, 'i');
const ID_RE = /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{3,}\b/g;
const ORDINAL = /^\d+(?:st|nd|rd|th|s)$/i;
const NAME_RE = /\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b/g;
// Capitalised words that start sentences or are too common to be a claim.
const COMMON_CAPITALISED = new Set(
  `I Im Ive Id The This That These Those Please However Unfortunately Here There Our Your You We It If For To In On At By As
  Based Sorry Thank Thanks Yes No Also Additionally Note Hello Hi Dear Regards Best Let Sure Of And Or But So Then Now
  Today Tomorrow Yesterday What When Where Which Who Why How Is Are Was Were Do Does Did Can Could Would Should Will
  My Me Its They Their Them He She His Her A An All Any Some Each Every Other Another Finally First Second Third Next
  Step Answer Result Results Summary Details Name Email Phone Address Price Status Total Date Time Title Description
  Information Contact Support Customer Service Team Agent Policy Order Orders Refund Refunds Product Products`.split(/\s+/),
);

/**
 * The specifics a text states: numbers (with units, `14 days`, `$14.99`), ids (`ORD-1234`),
 * emails, URLs and capitalised names that are not sentence starters.
 *
 * @example extractSpecifics('Refunds within 14 days.') // [{ text: '14 days', kind: 'number' }]
 */
export function extractSpecifics(text: string): Specific[] {
  const out: Specific[] = [];
  const seen = new Set<string>();
  const push = (s: Specific): void => {
    const key = `${s.kind}:${s.text.toLowerCase()}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  };
  const pushDate = (m: string, key: string | undefined): string => {
    if (key === undefined) return m;
    push({ text: m, kind: 'date', key });
    return ' ';
  };
  let rest = text.replace(MONTH_DAY_RE, (m, month: string, day: string) => pushDate(m, dateKey(month, day)));
  rest = rest.replace(DAY_MONTH_RE, (m, day: string, month: string) => pushDate(m, dateKey(month, day)));
  rest = rest.replace(URL_RE, (m) => {
    push({ text: m.replace(/[.,;:!?]+$/, ''), kind: 'url' });
    return ' ';
  });
  rest = rest.replace(EMAIL_RE, (m) => {
    push({ text: m, kind: 'email' });
    return ' ';
  });
  rest = rest.replace(ID_RE, (m) => {
    if (ORDINAL.test(m)) return m;
    push({ text: m, kind: 'id' });
    return ' ';
  });
  for (const match of rest.matchAll(NUMBER_RE)) {
    const m = match[0].trim();
    const digits = m.replace(/[^\d]/g, '');
    const before = rest.slice(Math.max(0, (match.index ?? 0) - 2), match.index ?? 0);
    const listMarker = /(?:^|\n)\s*$/.test(before) && /^\d+$/.test(m) && /^[.)]/.test(rest.slice((match.index ?? 0) + m.length));
    if (listMarker) continue;
    // A bare single digit ("2 options") is rarely a claim worth checking; with a unit it is.
    if (!HAS_UNIT.test(m) && digits.length > 0 && digits.length < 2) continue;
    // "Card ending in 6644" names the last digits of a longer number.
    const lastDigits = /\b(?:ending (?:in|with)|ends (?:in|with)|last (?:four|4|digits)(?: digits)?(?: of)?)\s*$/i.test(
      rest.slice(0, match.index ?? 0),
    );
    if (lastDigits && /^\d{3,}$/.test(m)) push({ text: m, kind: 'number', key: `#~${m}` });
    else push({ text: m, kind: 'number' });
  }
  const prose = withoutLabels(rest);
  for (const match of prose.matchAll(NAME_RE)) {
    let words = match[0].split(/[ -]/);
    if (atSentenceStart(prose, match.index ?? 0)) words = words.slice(1);
    words = words.filter((w) => !COMMON_CAPITALISED.has(w));
    if (words.length > 0) push({ text: words.join(' '), kind: 'name' });
  }
  return out;
}

function atSentenceStart(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 4), index);
  return index === 0 || /(?:^|[.!?:;]\s+|\n\s*|[-*•]\s+|["'(“]\s*)$/.test(before);
}

const NON_COMPOUND_RE = /[^\p{L}\p{N}._@/+:-]+/u;
const SEPARATOR_EDGE_RE = /^[._@/+:-]|[._@/+:-]$/;
const SEPARATOR_TRIM_RE = /^[._@/+:-]+|[._@/+:-]+$/g;
const SEPARATOR_RE = /[._@/+:-]/;
const SEPARATORS_RE = /[._@/+:-]+/;
const DIGIT_RE = /\d/;
const NUMERAL_RE = /\d+(?:[.,]\d+)*/g;

/**
 * Everything the agent was told or given: user inputs and tool results, as token sets that remember
 * the first event each token appeared at, so "was this said before event i" is one lookup. When
 * built for a list of specifics, only their tokens are recorded, which keeps big traces cheap.
 */
export class SourceIndex {
  private readonly words = new Map<string, number>();
  private readonly compounds = new Map<string, number>();
  private readonly numbers = new Map<string, number>();
  private readonly dates = new Map<string, number>();
  private readonly wanted: Set<string> | undefined;

  constructor(onlyFor?: readonly Specific[]) {
    if (!onlyFor) return;
    const wanted = new Set<string>();
    for (const specific of onlyFor) for (const key of keysOf(specific)) wanted.add(key);
    this.wanted = wanted;
  }

  /** Records the tokens of a text seen at event `at`. */
  addText(text: string, at: number): void {
    const lower = text.toLowerCase();
    // split() allocates less than matchAll(); this loop dominates analysis time on big traces.
    for (let compound of lower.split(NON_COMPOUND_RE)) {
      if (compound === '') continue;
      if (SEPARATOR_EDGE_RE.test(compound)) compound = compound.replace(SEPARATOR_TRIM_RE, '');
      if (compound === '') continue;
      this.record(this.compounds, compound, at);
      if (SEPARATOR_RE.test(compound)) {
        for (const word of compound.split(SEPARATORS_RE)) if (word !== '') this.record(this.words, word, at);
      } else {
        this.record(this.words, compound, at);
      }
    }
    if (DIGIT_RE.test(lower)) {
      for (const m of lower.matchAll(ISO_DATE_RE)) this.record(this.dates, `date:${Number(m[1])}-${Number(m[2])}`, at);
      for (const m of lower.matchAll(MONTH_DAY_RE)) {
        const key = dateKey(m[1]!, m[2]!);
        if (key) this.record(this.dates, key, at);
      }
      for (const m of lower.matchAll(DAY_MONTH_RE)) {
        const key = dateKey(m[2]!, m[1]!);
        if (key) this.record(this.dates, key, at);
      }
      for (const numeral of lower.match(NUMERAL_RE) ?? []) {
        this.record(this.numbers, `#${numeral}`, at);
        if (numeral.length > 4 && !numeral.includes('.') && !numeral.includes(',')) {
          for (const n of [3, 4]) this.record(this.numbers, `#~${numeral.slice(-n)}`, at);
        }
        if (numeral.length > 1 && (numeral.charCodeAt(0) === 48 || numeral.includes('.') || numeral.includes(','))) {
          const forms = new Set<string>();
          addNumberForms(numeral, forms);
          for (const form of forms) this.record(this.numbers, `#${form}`, at);
        }
      }
    }
  }

  /** Records every string and number leaf of a JSON value (and its keys) seen at event `at`. */
  addValue(value: unknown, at: number): void {
    const parts: string[] = [];
    collectLeaves(value, parts, 0);
    if (parts.length > 0) this.addText(parts.join('\n'), at);
  }

  /** Whether the sources mention the specific before event `before` (case-insensitive, numbers by value). */
  supports(specific: Specific, before = Number.POSITIVE_INFINITY): boolean {
    const seen = (map: Map<string, number>, key: string): boolean => (map.get(key) ?? Number.POSITIVE_INFINITY) < before;
    const lower = specific.text.toLowerCase();
    if (specific.kind === 'date') return specific.key !== undefined && seen(this.dates, specific.key);
    if (specific.kind === 'number') {
      if (specific.key !== undefined && seen(this.numbers, specific.key)) return true;
      const numeral = /\d+(?:[.,]\d+)*/.exec(lower);
      if (numeral) {
        const forms = new Set<string>();
        addNumberForms(numeral[0], forms);
        return [...forms].some((form) => seen(this.numbers, `#${form}`));
      }
      return (lower.match(/[\p{L}]+/gu) ?? []).every((w) => seen(this.words, w));
    }
    if (seen(this.compounds, lower)) return true;
    const parts = lower.match(/[\p{L}\p{N}]+/gu) ?? [];
    return parts.length > 0 && parts.every((w) => seen(this.words, w));
  }

  // The earliest event a token was seen at: sources may be added out of event order.
  private record(map: Map<string, number>, key: string, at: number): void {
    if (this.wanted && !this.wanted.has(key)) return;
    const seen = map.get(key);
    if (seen === undefined || at < seen) map.set(key, at);
  }
}

// The index keys a specific can be found under (the same ones `supports` looks up).
function keysOf(specific: Specific): string[] {
  if (specific.kind === 'date') return specific.key === undefined ? [] : [specific.key];
  const lower = specific.text.toLowerCase();
  const keys = [lower, ...(lower.match(/[\p{L}\p{N}]+/gu) ?? [])];
  if (specific.key !== undefined) keys.push(specific.key);
  const numeral = /\d+(?:[.,]\d+)*/.exec(lower);
  if (numeral) {
    const forms = new Set<string>();
    addNumberForms(numeral[0], forms);
    for (const form of forms) keys.push(`#${form}`);
  }
  return keys;
}

function collectLeaves(value: unknown, out: string[], depth: number): void {
  if (value === null || value === undefined || depth > 64) return;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) collectLeaves(v, out, depth + 1);
  else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push(k);
      collectLeaves(v, out, depth + 1);
    }
  }
}

function addNumberForms(raw: string, into: Set<string>): void {
  into.add(raw);
  // 1,000 and 1.000 as thousands; 14.0 as 14; 07 as 7.
  if (raw.length > 4 && /^\d{1,3}(?:[,.]\d{3})+$/.test(raw)) into.add(raw.replace(/[,.]/g, ''));
  if (raw.charCodeAt(0) === 48 || raw.includes('.') || raw.includes(',')) {
    const asNumber = Number(raw.replace(',', '.'));
    if (Number.isFinite(asNumber)) into.add(String(asNumber));
  }
}

const ADMITS_NOT_KNOWING =
  /\b(?:(?:could ?n[o'’]t|can ?n[o'’]t|cannot|was ?n[o'’]t able to|were ?n[o'’]t able to|was not able to|unable to|did ?n[o'’]t|failed to) (?:find|locate|retrieve|get|fetch|access|obtain|confirm|verify|determine|complete|look up)|no (?:relevant |matching )?(?:information|info|results?|data|details|records?|articles?)|there (?:are|is|were|was) (?:currently )?no|not sure|do ?n[o'’]t (?:have|know)|not (?:available|found)|unavailable|give up|giving up|no way to (?:know|tell))\b/i;

const SENTENCE_END_RE = /(?<=[.!?])\s+(?=[^a-z])|\n+/;

/** A text cut into sentences (and lines), for rules that hold sentence by sentence. */
export function sentences(text: string): string[] {
  return text.split(SENTENCE_END_RE).filter((s) => s.trim() !== '');
}

/** Whether a response says it could not find or does not know the information. */
export function admitsNotKnowing(text: string): boolean {
  return ADMITS_NOT_KNOWING.test(text);
}

const REPORTS_FAILURE =
  /\b(?:error|errors|failed|failure|fails|unable|could ?n[o'’]t|can ?n[o'’]t|cannot|issue|problem|unfortunately|sorry|apologi[sz]e|not (?:working|available|possible|enough|sufficient|eligible|allowed|permitted|valid)|unavailable|insufficient|no longer|exceeds?|declined|rejected|denied|try again|give up)\b/i;

/** Whether a response tells the user that something went wrong. */
export function reportsFailure(text: string): boolean {
  return REPORTS_FAILURE.test(text);
}

const GIVES_UP =
  /\b(?:i give up|give up and restart|giving up|i (?:can ?n[o'’]t|cannot|am unable to|'m unable to) (?:complete|finish|handle|proceed with|do) (?:this|the|your) (?:task|request))\b/i;

/** Whether a response abandons the task outright ("I give up and restart"). */
export function givesUp(text: string): boolean {
  return GIVES_UP.test(text);
}

/** Completed actions a response can claim, with the tool-name stems that could have done them. */
const ACTION_STEMS: Record<string, readonly string[]> = {
  booked: ['book', 'reserv', 'schedul', 'appoint', 'create'],
  reserved: ['reserv', 'book', 'create'],
  scheduled: ['schedul', 'book', 'calendar', 'create', 'appoint'],
  refunded: ['refund', 'credit', 'reimburs'],
  cancelled: ['cancel', 'delete', 'remove', 'void'],
  canceled: ['cancel', 'delete', 'remove', 'void'],
  sent: ['send', 'email', 'mail', 'notify', 'message', 'sms', 'post', 'reply'],
  emailed: ['send', 'email', 'mail', 'notify'],
  updated: ['update', 'set', 'change', 'edit', 'modify', 'patch', 'put', 'save'],
  changed: ['update', 'set', 'change', 'edit', 'modify', 'patch', 'put', 'save'],
  modified: ['update', 'set', 'change', 'edit', 'modify', 'patch', 'put', 'save'],
  created: ['create', 'add', 'insert', 'new', 'post', 'open', 'make', 'book'],
  added: ['add', 'create', 'insert', 'append', 'post', 'put', 'save'],
  placed: ['place', 'order', 'create', 'checkout', 'purchase', 'buy'],
  ordered: ['order', 'place', 'purchase', 'buy', 'checkout'],
  deleted: ['delete', 'remove', 'destroy', 'purge', 'drop'],
  removed: ['remove', 'delete', 'destroy', 'purge', 'drop'],
  reset: ['reset'],
  submitted: ['submit', 'send', 'post', 'create', 'file'],
  processed: ['process', 'refund', 'charge', 'pay', 'approve', 'issue'],
  issued: ['issue', 'refund', 'credit', 'create', 'generate'],
  paid: ['pay', 'charge', 'transfer', 'purchase'],
  transferred: ['transfer', 'move', 'pay', 'send'],
};
const CLAIM_RE = new RegExp(
  String.raw`\b(i|we|i've|we've|i have|we have|has been|have been|had been|was|were|is now|are now|successfully)\s+((?:[\w'’]+\s+){0,3}?)(${Object.keys(ACTION_STEMS).join('|')})\b`,
  'gi',
);
const NEGATION = /\b(?:not|never|no|cannot|unable)\b|n['’]t\b/i;
// Words that make a clause a condition, a negation, a plan or a rule rather than a report of what was done.
const NOT_A_REPORT =
  /\b(?:not|never|no|cannot|unable|if|unless|once|when|whenever|after|before|until|whether|would|will|should|could|can|may|might|must|need|needs|yet|only)\b|n['’]t\b/i;
const CLAUSE_BREAK = /[.!?;:\n]|,\s*(?:(?:and|but|so|while)\s)?|\s(?:and|but|so|while)\s/g;
const MONEY_VERBS = new Set(['refunded', 'paid', 'charged', 'credited', 'processed', 'transferred', 'issued']);
const MONEY_WORDS = /^(?:payments?|refunds?|charges?|fees?|amounts?|prices?|differences?|costs?|balances?|credits?|fares?|money|funds?)$/;
const CLAIM_STOPWORDS = new Set(
  `the a an your my our their his her its this that these those to of for in on at by with from into as and or has have had been was were is are now successfully also just all both each any it they them you we i`.split(
    ' ',
  ),
);

/** A claim in a response that an action was completed, e.g. `three checked bags have been added`. */
export interface ActionClaim {
  verb: string;
  /** The clause that makes the claim, from its subject to the verb. */
  text: string;
  stems: readonly string[];
  /** Content words of the clause around the verb: what the claim says was acted on. */
  objectWords: string[];
  /** A claim about money moving (a refund, a payment): any state-changing call that moved money can do it. */
  money: boolean;
}

/**
 * Claims of completed actions ("I've booked", "has been refunded", "successfully cancelled"). Not
 * claims: negated or conditional clauses ("has not been sent", "unless they were booked", "once they
 * have been added"), and descriptions of records in the simple past ("it was created on May 11").
 */
export function actionClaims(text: string): ActionClaim[] {
  const out: ActionClaim[] = [];
  for (const match of text.matchAll(CLAIM_RE)) {
    const at = match.index ?? 0;
    const aux = (match[1] ?? '').toLowerCase();
    const gap = match[2] ?? '';
    if (NEGATION.test(gap)) continue;
    if ((aux === 'was' || aux === 'were' || aux === 'had been') && !/\b(?:successfully|just|now)\b/i.test(gap)) continue;
    const clauseStart = lastBreak(text, at);
    const lead = text.slice(clauseStart, at);
    if (NOT_A_REPORT.test(lead) || NOT_A_REPORT.test(gap)) continue;
    const verb = (match[3] ?? '').toLowerCase();
    const stems = ACTION_STEMS[verb];
    if (!stems) continue;
    const end = at + match[0].length;
    const after = text.slice(end, end + 80).split(CLAUSE_BREAK)[0] ?? '';
    const objectWords = contentWords(`${lead} ${gap} ${after}`);
    const money =
      MONEY_VERBS.has(verb) && (verb !== 'processed' && verb !== 'issued' ? true : objectWords.some((w) => MONEY_WORDS.test(w)));
    out.push({ verb, text: `${lead}${match[0]}`.trim(), stems, objectWords, money });
  }
  return out;
}

function lastBreak(text: string, before: number): number {
  let start = 0;
  for (const m of text.slice(0, before).matchAll(CLAUSE_BREAK)) start = (m.index ?? 0) + m[0].length;
  return start;
}

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]{3,}/g) ?? []).filter((w) => !CLAIM_STOPWORDS.has(w) && !Object.hasOwn(ACTION_STEMS, w));
}

/** Whether two words name the same thing: equal, or one a prefix of the other once plurals are dropped (`bags`, `baggages`). */
export function sameWord(a: string, b: string): boolean {
  const x = a.replace(/e?s$/, '');
  const y = b.replace(/e?s$/, '');
  if (x.length < 3 || y.length < 3) return x === y;
  return x.startsWith(y) || y.startsWith(x);
}

// The accuracy harness: precision and recall of the redactor against labeled text. Pure, so the
// same code runs in vitest and in the benchmark script that prints docs/BENCHMARKS.md.
import { cardNumberValid, ibanValid, ssnValid } from './checksums.js';
import { AGENT_TRACE_NEGATIVES, PROJECT_CORPUS, type CorpusRule } from './corpus/project-corpus.js';
import { createRedactor, type Redactor } from './redact.js';

/** A labeled value in a text: offsets are UTF-16, end exclusive (as in presidio's data). */
export interface LabeledSpan {
  entity: string;
  start: number;
  end: number;
}

export interface LabeledText {
  text: string;
  spans: LabeledSpan[];
}

/** One row of the accuracy table. */
export interface EntityScore {
  /** Entity type of the labels, e.g. `EMAIL_ADDRESS` or `email`. */
  entity: string;
  /** The redaction rule scored against it. */
  rule: string;
  /** Labeled spans of this entity. */
  spans: number;
  /** Labeled spans fully covered by redactions. */
  recalled: number;
  /** recalled / spans (1 when there are no spans). */
  recall: number;
  /**
   * Missed spans whose value fails the checksum or range check a validating detector applies
   * (Luhn for cards, mod-97 for IBANs, area/group/serial for SSNs). They are counted in `spans`.
   */
  invalid: number;
  /** recalled / (spans - invalid): recall over the values that are real. */
  recall_valid: number;
  /** Redactions made by `rule`. */
  hits: number;
  /** Of those, the ones that overlap a labeled span of this entity. */
  true_hits: number;
  /** true_hits / hits (1 when there are no hits). */
  precision: number;
}

/** Presidio entity types and the Stepwise rule that should catch each. */
export const PRESIDIO_ENTITY_RULES: Readonly<Record<string, string>> = {
  EMAIL_ADDRESS: 'email',
  PHONE_NUMBER: 'phone',
  CREDIT_CARD: 'card',
  IBAN_CODE: 'iban',
  US_SSN: 'ssn',
  IP_ADDRESS: 'ip',
};

/** Whether a labeled value fails the validation the detector for `rule` applies. */
export function failsValidation(rule: string, value: string): boolean {
  switch (rule) {
    case 'card':
      return !cardNumberValid(value.replace(/[ -]/g, ''));
    case 'iban':
      return !ibanValid(value.replace(/ /g, ''));
    case 'ssn':
      return !ssnValid(value.replace(/[ -]/g, ''));
    default:
      return false;
  }
}

/** Turns `'mail [[ann@x.io]] now'` into a text with one labeled span of `entity`. */
export function parseMarked(marked: string, entity: string): LabeledText {
  const spans: LabeledSpan[] = [];
  let text = '';
  let i = 0;
  for (;;) {
    const open = marked.indexOf('[[', i);
    if (open < 0) break;
    const close = marked.indexOf(']]', open + 2);
    if (close < 0) break;
    text += marked.slice(i, open);
    const start = text.length;
    text += marked.slice(open + 2, close);
    spans.push({ entity, start, end: text.length });
    i = close + 2;
  }
  text += marked.slice(i);
  return { text, spans };
}

/**
 * Scores `redactor` on labeled texts. A span is recalled when redactions (of any rule) cover all of
 * its letters and digits, so its value cannot survive; a redaction by `rule` is a true hit when it
 * overlaps a span of the entity mapped to that rule.
 *
 * @example scoreRedaction(texts, createRedactor(), { EMAIL_ADDRESS: 'email' })
 */
export function scoreRedaction(
  texts: readonly LabeledText[],
  redactor: Redactor,
  entityRules: Readonly<Record<string, string>>,
): EntityScore[] {
  const rows = new Map<string, EntityScore>();
  for (const [entity, rule] of Object.entries(entityRules)) {
    rows.set(entity, { entity, rule, spans: 0, recalled: 0, recall: 1, invalid: 0, recall_valid: 1, hits: 0, true_hits: 0, precision: 1 });
  }
  const ruleEntities = new Map<string, string[]>();
  for (const [entity, rule] of Object.entries(entityRules)) ruleEntities.set(rule, [...(ruleEntities.get(rule) ?? []), entity]);

  for (const { text, spans } of texts) {
    const { redactions } = redactor.redactText(text);
    for (const span of spans) {
      const row = rows.get(span.entity);
      if (!row) continue;
      row.spans++;
      if (covered(text, span, redactions)) row.recalled++;
      else if (failsValidation(row.rule, text.slice(span.start, span.end))) row.invalid++;
    }
    for (const r of redactions) {
      for (const entity of ruleEntities.get(r.rule) ?? []) {
        const row = rows.get(entity);
        if (!row) continue;
        row.hits++;
        if (spans.some((s) => s.entity === entity && s.start < r.end && r.start < s.end)) row.true_hits++;
      }
    }
  }
  for (const row of rows.values()) {
    row.recall = row.spans === 0 ? 1 : row.recalled / row.spans;
    const valid = row.spans - row.invalid;
    row.recall_valid = valid === 0 ? 1 : row.recalled / valid;
    row.precision = row.hits === 0 ? 1 : row.true_hits / row.hits;
  }
  return [...rows.values()];
}

function covered(text: string, span: LabeledSpan, redactions: ReadonlyArray<{ start: number; end: number }>): boolean {
  for (let i = span.start; i < span.end; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (alnum && !redactions.some((r) => r.start <= i && i < r.end)) return false;
  }
  return true;
}

/** The project corpus as labeled texts: tps with their spans, fps and trace lines with none. */
export function projectCorpusTexts(corpus: readonly CorpusRule[] = PROJECT_CORPUS): LabeledText[] {
  const texts: LabeledText[] = [];
  for (const rule of corpus) {
    for (const tp of rule.tps) texts.push(parseMarked(tp, rule.rule));
    for (const fp of rule.fps) texts.push({ text: fp, spans: [] });
  }
  for (const line of AGENT_TRACE_NEGATIVES) texts.push({ text: line, spans: [] });
  return texts;
}

/**
 * Precision and recall per rule on the project corpus (every rule's tps, fps, and the agent-trace
 * negatives). Bars: recall 1.0 for secrets, email, card, IBAN, SSN and IP; ≥ 0.9 for phone;
 * precision ≥ 0.95.
 */
export function scoreProjectCorpus(redactor: Redactor = createRedactor()): EntityScore[] {
  const entityRules = Object.fromEntries(PROJECT_CORPUS.map((r) => [r.rule, r.rule]));
  return scoreRedaction(projectCorpusTexts(), redactor, entityRules);
}

/** Reads presidio-research's generated records (`[{ full_text, spans: [{ entity_type, start_position, end_position }] }]`). */
export function presidioTexts(records: unknown): LabeledText[] {
  if (!Array.isArray(records)) throw new Error('presidio data must be an array of records');
  return records.map((record: unknown, index) => {
    const r = record as { full_text?: unknown; spans?: unknown };
    if (typeof r.full_text !== 'string' || !Array.isArray(r.spans)) {
      throw new Error(`presidio record ${index} has no full_text string or spans array`);
    }
    const spans = r.spans.map((span: unknown) => {
      const s = span as { entity_type?: unknown; start_position?: unknown; end_position?: unknown };
      return { entity: String(s.entity_type), start: Number(s.start_position), end: Number(s.end_position) };
    });
    return { text: r.full_text, spans };
  });
}

/**
 * Precision and recall per presidio entity type (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD,
 * IBAN_CODE, US_SSN, IP_ADDRESS). Misses whose values fail checksum validation are counted in
 * `invalid` rather than hidden, and `recall_valid` gives recall over the valid values.
 *
 * @example scorePresidio(JSON.parse(readFileSync('presidio-generated_large.json', 'utf8')))
 */
export function scorePresidio(records: unknown, redactor: Redactor = createRedactor()): EntityScore[] {
  return scoreRedaction(presidioTexts(records), redactor, PRESIDIO_ENTITY_RULES);
}

/** Formats score rows as a Markdown table for docs and `npm run bench`. */
export function formatScoreTable(rows: readonly EntityScore[]): string {
  const pct = (x: number) => x.toFixed(3);
  const lines = [
    '| entity | rule | spans | recalled | recall | invalid | recall (valid) | hits | precision |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.entity} | ${r.rule} | ${r.spans} | ${r.recalled} | ${pct(r.recall)} | ${r.invalid} | ${pct(r.recall_valid)} | ${r.hits} | ${pct(r.precision)} |`,
    );
  }
  return lines.join('\n');
}

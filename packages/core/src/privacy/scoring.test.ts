import { describe, expect, it } from 'vitest';
import { heldOutClassRecords, presidioRecords } from '../../../../test-support/privacy-data.js';
import { PROJECT_CORPUS } from './corpus/project-corpus.js';
import { createRedactor } from './redact.js';
import {
  formatScoreTable,
  parseMarked,
  presidioTexts,
  projectCorpusTexts,
  scorePresidio,
  scoreProjectCorpus,
  scoreRedaction,
} from './scoring.js';

describe('parseMarked', () => {
  it('turns [[…]] marks into spans', () => {
    expect(parseMarked('a [[bc]] d [[e]]', 'x')).toEqual({
      text: 'a bc d e',
      spans: [
        { entity: 'x', start: 2, end: 4 },
        { entity: 'x', start: 7, end: 8 },
      ],
    });
  });
});

describe('scoreRedaction', () => {
  it('counts recall over spans and precision over the rule’s redactions', () => {
    const rows = scoreRedaction(
      [
        { text: 'mail a@x.io', spans: [{ entity: 'EMAIL', start: 5, end: 11 }] },
        { text: 'mail b@y.io', spans: [] },
        { text: 'no email here', spans: [{ entity: 'EMAIL', start: 0, end: 2 }] },
      ],
      createRedactor(),
      { EMAIL: 'email' },
    );
    expect(rows).toEqual([
      {
        entity: 'EMAIL',
        rule: 'email',
        spans: 2,
        recalled: 1,
        recall: 0.5,
        invalid: 0,
        recall_valid: 0.5,
        hits: 2,
        true_hits: 1,
        precision: 0.5,
      },
    ]);
  });

  it('reports misses whose values fail checksum validation separately', () => {
    const rows = scoreRedaction(
      [{ text: 'card 4111111111111112', spans: [{ entity: 'CREDIT_CARD', start: 5, end: 21 }] }],
      createRedactor(),
      { CREDIT_CARD: 'card' },
    );
    expect(rows[0]).toMatchObject({ spans: 1, recalled: 0, invalid: 1, recall: 0, recall_valid: 1 });
  });
});

describe('project corpus', () => {
  const rows = scoreProjectCorpus();
  const byRule = new Map(rows.map((r) => [r.rule, r]));

  it('has true positives for every rule family', () => {
    expect(PROJECT_CORPUS.map((r) => r.rule).sort()).toEqual([
      'api_key',
      'bearer',
      'card',
      'email',
      'iban',
      'ip',
      'jwt',
      'phone',
      'private_key',
      'secret_key',
      'ssn',
    ]);
    for (const row of rows) expect(row.spans, row.rule).toBeGreaterThan(0);
  });

  it('recalls every secret, email, card, IBAN, SSN and IP, and at least 90% of phones', () => {
    for (const rule of ['email', 'card', 'iban', 'ssn', 'ip', 'jwt', 'private_key', 'bearer', 'api_key', 'secret_key']) {
      expect(byRule.get(rule)?.recall, rule).toBe(1);
    }
    expect(byRule.get('phone')?.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps precision at 0.95 or more for every rule', () => {
    for (const row of rows) expect(row.precision, row.rule).toBeGreaterThanOrEqual(0.95);
  });

  it('redacts nothing in the false-positive texts and agent-trace negatives', () => {
    const redactor = createRedactor();
    const flagged = projectCorpusTexts()
      .filter((t) => t.spans.length === 0)
      .flatMap((t) => redactor.redactText(t.text).redactions.map((r) => `${r.rule}: ${t.text}`));
    expect(flagged).toEqual([]);
  });
});

describe('presidio-research generated PII', () => {
  // Bars here are floors measured on the data, to catch regressions; the table is printed by the bench.
  it.each(['small', 'large'] as const)('scores each entity type on the %s set', (size) => {
    const rows = scorePresidio(presidioRecords(size));
    expect(rows.map((r) => r.entity)).toEqual(['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS']);
    for (const row of rows) {
      expect(row.precision, row.entity).toBeGreaterThanOrEqual(0.95);
      if (row.entity === 'PHONE_NUMBER') expect(row.recall).toBeGreaterThanOrEqual(0.9);
      else expect(row.recall_valid, row.entity).toBe(1);
    }
    expect(formatScoreTable(rows)).toContain('| EMAIL_ADDRESS | email |');
  });
});

describe('held-out PII classes (fixtures/pii/held-out-classes.json)', () => {
  const texts = presidioTexts(heldOutClassRecords());
  const rows = scoreRedaction(texts, createRedactor(), { CREDIT_CARD: 'card', PHONE_NUMBER: 'phone' });
  const byEntity = new Map(rows.map((r) => [r.entity, r]));

  it('holds cards outside the known prefixes, phones after labels and local forms, and negatives', () => {
    expect(byEntity.get('CREDIT_CARD')?.spans).toBeGreaterThanOrEqual(16);
    expect(byEntity.get('PHONE_NUMBER')?.spans).toBeGreaterThanOrEqual(25);
    expect(texts.filter((t) => t.spans.length === 0).length).toBeGreaterThanOrEqual(40);
  });

  it('recalls every card and at least 90% of phones', () => {
    expect(byEntity.get('CREDIT_CARD')?.recall).toBe(1);
    expect(byEntity.get('PHONE_NUMBER')?.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('redacts no id, version, timestamp, order number or price as a card or phone', () => {
    const redactor = createRedactor();
    const flagged = texts
      .filter((t) => t.spans.length === 0)
      .flatMap((t) => redactor.redactText(t.text).redactions.filter((r) => r.rule === 'card' || r.rule === 'phone'))
      .map((r) => r.rule);
    expect(flagged).toEqual([]);
    for (const row of rows) expect(row.precision, row.entity).toBe(1);
  });
});

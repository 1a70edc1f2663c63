// Privacy: redaction of PII and secrets, truncation of oversized events, and the accuracy harness.
// The ingest pipeline calls redactTrace (or a Redactor from createRedactor) and then truncateTrace.

export { createRedactor, isPlaceholder, redactTrace, redactValue } from './redact.js';
export type { RedactionReport, Redactor, RedactorOptions, RegexEngine, TextRedaction } from './redact.js';

export {
  AllowlistEntry,
  CustomRule,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_PRIVACY_SETTINGS,
  PrivacySettings,
  validatePrivacySettings,
} from './settings.js';
export type { PrivacySettingsInput } from './settings.js';

export { FAMILY_LABELS, RULE_FAMILIES, isSecretKey } from './detectors.js';
export type { RuleFamily } from './detectors.js';
export { cardNumberValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from './checksums.js';
export { catastrophicBacktrackingReason } from './regex-safety.js';

export { arrayTruncationMarker, jsonByteLength, truncateTrace, truncationMarker, utf8Length } from './truncate.js';
export type { TruncatedEvent, TruncateOptions, TruncationMark, TruncationReport } from './truncate.js';

export {
  PRESIDIO_ENTITY_RULES,
  failsValidation,
  formatScoreTable,
  parseMarked,
  presidioTexts,
  projectCorpusTexts,
  scorePresidio,
  scoreProjectCorpus,
  scoreRedaction,
} from './scoring.js';
export type { EntityScore, LabeledSpan, LabeledText } from './scoring.js';
export { AGENT_TRACE_NEGATIVES, PROJECT_CORPUS } from './corpus/project-corpus.js';
export type { CorpusRule } from './corpus/project-corpus.js';

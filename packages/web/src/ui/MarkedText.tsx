import type { ReactNode } from 'react';

// `<EMAIL_1>`, `<CARD_2>`, `<SECRET_1>`: what redaction leaves. `…[truncated 2048 bytes]`: what truncation leaves.
const MARKERS = /(<[A-Z][A-Z0-9_]*_\d+>)|(…\[truncated \d+ bytes\])/g;

/** Text with redaction placeholders and truncation markers shown as such, not as content. */
export function MarkedText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKERS)) {
    const at = match.index;
    if (at > last) parts.push(text.slice(last, at));
    if (match[1] !== undefined) {
      parts.push(
        <span key={at} className="mark-redacted" title="Redacted before storage">
          {match[1]}
        </span>,
      );
    } else {
      parts.push(
        <span key={at} className="mark-truncated" title="Cut to keep the event under the size limit">
          {match[2]}
        </span>,
      );
    }
    last = at + match[0].length;
  }
  if (parts.length === 0) return <>{text}</>;
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}

export function hasMarkers(text: string): { redacted: boolean; truncated: boolean } {
  return { redacted: /<[A-Z][A-Z0-9_]*_\d+>/.test(text), truncated: /…\[truncated \d+ bytes\]/.test(text) };
}

import { highlightTerms } from '@stepwise/core';

/** Text with every occurrence of the search terms marked. */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlightTerms(text, terms).map((piece, i) =>
        piece.match ? (
          <mark key={i} className="search-hit">
            {piece.text}
          </mark>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}

// The table behind `sampleTokenId`: non-special token ids whose text is a printable ASCII word,
// so the simulator's output decodes to readable text with any vocabulary.

/** Table size: enough variety for plausible text, small enough to build at load in a few ms. */
export const SAMPLE_TABLE_SIZE = 2000;

// Words with a leading space read as text when concatenated; other letter-only tokens fill up.
const PREFERRED = /^ [a-z]{2,}$/;
const ACCEPTABLE = /^[ A-Za-z]+$/;
// Cheap filter on the raw vocabulary entry (an optional word-boundary marker such as "Ġ" or "▁",
// then letters) so only a few thousand candidates are decoded.
const RAW_CANDIDATE = /^.?[A-Za-z]+$/u;

export interface VocabularyView {
  readonly vocabSize: number;
  isSpecial(id: number): boolean;
  rawToken(id: number): string | undefined;
  decodeOne(id: number): string;
}

/** Ids in vocabulary order (frequent merges first in BPE); empty when the vocabulary has no letter tokens. */
export function buildSampleTable(vocabulary: VocabularyView, size: number = SAMPLE_TABLE_SIZE): Int32Array {
  const preferred: number[] = [];
  const acceptable: number[] = [];
  for (let id = 0; id < vocabulary.vocabSize && preferred.length < size; id++) {
    if (vocabulary.isSpecial(id)) continue;
    const raw = vocabulary.rawToken(id);
    if (raw === undefined || !RAW_CANDIDATE.test(raw)) continue;
    const text = vocabulary.decodeOne(id);
    if (PREFERRED.test(text)) preferred.push(id);
    else if (ACCEPTABLE.test(text) && acceptable.length < size) acceptable.push(id);
  }
  return Int32Array.from([...preferred, ...acceptable].slice(0, size));
}

/** Maps `random01` in [0,1) to a table entry; out-of-range inputs are clamped. */
export function pickFromTable(table: Int32Array, random01: number): number {
  const index = Math.min(table.length - 1, Math.max(0, Math.floor(random01 * table.length)));
  return table[index] ?? 0;
}

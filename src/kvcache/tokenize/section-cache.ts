// Memoises token ids per text section between added tokens. The HF tokenizer encodes each such section
// on its own (Tokenizer.encode_text in @huggingface/tokenizers), so a chat prompt whose earlier messages
// were seen before re-encodes only its new messages, and the ids stay identical to a full encode.
import { LRUCache } from "lru-cache";

/** An added token of tokenizer.json. */
export interface AddedTokenInfo {
  readonly content: string;
  readonly id: number;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  /** Matched in the raw text before normalisation (the library's first split); others match inside sections. */
  readonly isMatchedRaw: boolean;
}

export interface SectionCacheDeps {
  readonly addedTokens: readonly AddedTokenInfo[];
  /** The tokenizer's own encode, used for sections not in the cache and for probing. */
  encode(text: string, addSpecialTokens: boolean): number[];
  /** True when the pre-tokenizer treats the first section differently (Metaspace prepend_scheme "first"). */
  readonly isFirstSectionSpecial: boolean;
  /** Upper bound on cached section text, in UTF-16 code units. */
  readonly maxCachedChars: number;
}

// Short sections encode in microseconds; caching them would only churn the cache.
export const MIN_CACHED_SECTION_CHARS = 256;

interface Section {
  text: string;
  readonly tokenId: number | null;
}

/**
 * Encodes like `deps.encode`, reusing cached ids of long sections. Null when no added token can serve as
 * the anchor (matched raw, no rstrip, not the start of a longer added token), e.g. no added tokens at all.
 */
export function createSectionCache(deps: SectionCacheDeps): SectionCache | null {
  const raw = deps.addedTokens.filter((token) => token.isMatchedRaw);
  const anchor = raw.find(
    (token) =>
      !token.rstrip &&
      !raw.some((other) => other.content !== token.content && other.content.startsWith(token.content)),
  );
  return anchor === undefined ? null : new SectionCache(deps, anchor);
}

export class SectionCache {
  readonly #deps: SectionCacheDeps;
  readonly #anchor: AddedTokenInfo;
  readonly #trie: TrieNode;
  readonly #byContent: ReadonlyMap<string, AddedTokenInfo>;
  readonly #cache: LRUCache<string, Int32Array>;
  // Ids the post-processor puts around a sequence when add_special_tokens is true; null if not a plain wrap.
  readonly #wrap: { readonly prefix: number[]; readonly suffix: number[] } | null;

  constructor(deps: SectionCacheDeps, anchor: AddedTokenInfo) {
    this.#deps = deps;
    this.#anchor = anchor;
    this.#trie = buildTrie(deps.addedTokens.filter((token) => token.isMatchedRaw));
    this.#byContent = new Map(deps.addedTokens.map((token) => [token.content, token]));
    this.#cache = new LRUCache({ maxSize: deps.maxCachedChars, sizeCalculation: (_ids, key) => key.length });
    this.#wrap = probeWrap(deps, anchor);
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    if (text.length < MIN_CACHED_SECTION_CHARS || (addSpecialTokens && this.#wrap === null)) {
      return this.#deps.encode(text, addSpecialTokens);
    }
    const ids: number[] = addSpecialTokens && this.#wrap !== null ? [...this.#wrap.prefix] : [];
    for (const [index, section] of splitSections(text, this.#trie, this.#byContent).entries()) {
      if (section.tokenId !== null) ids.push(section.tokenId);
      else if (section.text.length > 0) appendIds(ids, this.#encodeSection(section.text, index === 0));
    }
    if (addSpecialTokens && this.#wrap !== null) ids.push(...this.#wrap.suffix);
    return ids;
  }

  #encodeSection(text: string, isFirst: boolean): readonly number[] | Int32Array {
    if (text.length < MIN_CACHED_SECTION_CHARS) return this.#encodeUncached(text, isFirst);
    const key = this.#deps.isFirstSectionSpecial && isFirst ? `\u0000${text}` : text;
    let ids = this.#cache.get(key);
    if (ids === undefined) {
      ids = Int32Array.from(this.#encodeUncached(text, isFirst));
      this.#cache.set(key, ids);
    }
    return ids;
  }

  // A section that is not first is encoded after the anchor token, so pre-tokenizers that treat the
  // first section specially see it exactly as inside the whole text; the anchor's id is then dropped.
  #encodeUncached(text: string, isFirst: boolean): number[] {
    if (isFirst || !this.#deps.isFirstSectionSpecial) return this.#deps.encode(text, false);
    return this.#deps.encode(this.#anchor.content + text, false).slice(1);
  }
}

function appendIds(ids: number[], more: readonly number[] | Int32Array): void {
  for (const id of more) ids.push(id);
}

function probeWrap(
  deps: SectionCacheDeps,
  anchor: AddedTokenInfo,
): { prefix: number[]; suffix: number[] } | null {
  const wrapped = deps.encode(anchor.content, true);
  const at = wrapped.indexOf(anchor.id);
  if (at < 0 || wrapped.indexOf(anchor.id, at + 1) >= 0) return null;
  return { prefix: wrapped.slice(0, at), suffix: wrapped.slice(at + 1) };
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  token: AddedTokenInfo | null;
}

function buildTrie(tokens: readonly AddedTokenInfo[]): TrieNode {
  const root: TrieNode = { children: new Map(), token: null };
  for (const token of tokens) {
    let node = root;
    for (const char of token.content.split("")) {
      let child = node.children.get(char);
      if (child === undefined) {
        child = { children: new Map(), token: null };
        node.children.set(char, child);
      }
      node = child;
    }
    node.token = token;
  }
  return root;
}

// Same split as the library's DictionarySplitter (longest match at the leftmost position, by UTF-16
// unit), then its lstrip/rstrip trimming: the library trims around every section whose text is an
// added token's content, matched or not.
function splitSections(
  text: string,
  trie: TrieNode,
  byContent: ReadonlyMap<string, AddedTokenInfo>,
): Section[] {
  const sections: Section[] = [];
  let start = 0;
  for (let i = 0; i < text.length; ) {
    const match = longestMatch(text, i, trie);
    if (match === null) {
      i++;
      continue;
    }
    if (i > start) sections.push({ text: text.slice(start, i), tokenId: null });
    sections.push({ text: match.content, tokenId: match.id });
    i += match.content.length;
    start = i;
  }
  if (start < text.length) sections.push({ text: text.slice(start), tokenId: null });
  sections.forEach((section, i) => {
    const token = byContent.get(section.text);
    const previous = sections[i - 1];
    const next = sections[i + 1];
    if (token?.lstrip === true && previous !== undefined) previous.text = previous.text.trimEnd();
    if (token?.rstrip === true && next !== undefined) next.text = next.text.trimStart();
  });
  return sections;
}

function longestMatch(text: string, from: number, trie: TrieNode): AddedTokenInfo | null {
  let node: TrieNode | undefined = trie;
  let match: AddedTokenInfo | null = null;
  for (let j = from; j < text.length; j++) {
    node = node.children.get(text.charAt(j));
    if (node === undefined) break;
    if (node.token !== null) match = node.token;
  }
  return match;
}

// Best-effort recovery of a JSON value from a model's answer: models wrap JSON in ``` fences,
// add a sentence before it, or leave a trailing comma. We repair only these mechanical faults;
// anything else is re-asked (client.ts) rather than guessed.

export function stripFences(text: string): string {
  const m = text.match(/```(?:json|JSON|jsonc)?\s*\n?([\s\S]*?)```/);
  return m ? m[1]!.trim() : text.trim();
}

/** The first balanced {...} or [...] in text, respecting strings; undefined if none closes. */
export function extractJsonBlock(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c === "{" ? "}" : "]");
    else if (c === "}" || c === "]") {
      if (stack.pop() !== c) return undefined;
      if (stack.length === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

const removeTrailingCommas = (s: string): string => s.replace(/,(\s*[}\]])/g, "$1");

export type JsonParse = { ok: true; value: unknown; repaired: boolean } | { ok: false; error: string };

/** Parses text as JSON, repairing fences, surrounding prose and trailing commas. */
export function parseJsonLenient(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text), repaired: false };
  } catch {
    /* fall through to repairs */
  }
  const candidates = new Set<string>();
  const unfenced = stripFences(text);
  candidates.add(unfenced);
  const block = extractJsonBlock(unfenced) ?? extractJsonBlock(text);
  if (block) candidates.add(block);
  for (const c of [...candidates]) candidates.add(removeTrailingCommas(c));
  let lastError = "no JSON object found in the answer";
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c), repaired: true };
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  return { ok: false, error: lastError };
}

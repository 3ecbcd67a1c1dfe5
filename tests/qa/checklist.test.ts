import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmServer, promptText, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { createLlm, estimateTokens } from "../../f/devgodzilla/lib/llm/client.ts";
import { RetrievalIndex, chunkText, evidenceIndex, tokenize, retrieve } from "../../f/devgodzilla/lib/qa/retrieval.ts";
import { createEmbedder } from "../../f/devgodzilla/lib/llm/client.ts";
import { llmJudge, parseAcceptanceScenarios, parseChecklist, validateChecklist } from "../../f/devgodzilla/lib/qa/checklist.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import { tempRepo, type TempRepo } from "./helpers.ts";

describe("BM25 ranking", () => {
  // Documents named by single letters: a one-letter path word is dropped, so only the text counts.
  const docs = (texts: string[]) => texts.map((text, i) => ({ file: "abcdefgh"[i]!, text }));
  const top = (idx: RetrievalIndex, q: string) => idx.search(q, 1)[0]?.chunk.file;

  it("matches the Okapi BM25 formula on a hand-computed example", () => {
    // Lengths are 2, 4, 1.
    const idx = RetrievalIndex.ofDocuments(docs(["alpha beta", "alpha alpha gamma delta", "epsilon"]));
    const s = idx.scores("alpha");
    const N = 3,
      n = 2,
      avg = 7 / 3,
      k1 = 1.2,
      b = 0.75;
    const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
    const bm = (f: number, len: number) => (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * len) / avg));
    expect(s.get(0)).toBeCloseTo(bm(1, 2), 6);
    expect(s.get(1)).toBeCloseTo(bm(2, 4), 6);
    expect(s.has(2)).toBe(false);
  });

  it("splits identifiers so prose queries meet code", () => {
    expect(tokenize("hashPassword(user_password) validates HTTPServer")).toEqual(["hash", "password", "user", "password", "validat", "http", "server"]);
  });

  it("meets inflections and identifier variants: paginated~paginate, expires~expire, health~healthz", () => {
    const idx = RetrievalIndex.ofDocuments(docs(["export function paginateResults() {}", "router.get('/healthz', handler)", "const unrelated = 1"]));
    expect(top(idx, "results are paginated")).toBe("a");
    expect(top(idx, "health endpoint")).toBe("b");
  });

  it("ranks the chunk that covers the item above one that repeats part of it (coordination)", () => {
    const idx = RetrievalIndex.ofDocuments(
      docs([
        "// password password password reset reset reset reset\nfunction renderHint() {}",
        "function consumeResetLink(token) { if (link.usedAt || expired(link)) throw new Gone('reset link expired or used'); }",
      ]),
    );
    expect(top(idx, "reset links expire and are single use")).toBe("b");
  });

  it("chunks at top-level declarations within the line cap", () => {
    const text = ["import x from 'y';", "", ...Array.from({ length: 30 }, (_, i) => `export function f${i}() {\n  return ${i};\n}`)].join("\n");
    const chunks = chunkText("a.ts", text, 20);
    expect(chunks.every((c) => c.endLine - c.startLine + 1 <= 20)).toBe(true);
    expect(chunks.slice(1).every((c) => /^export function/.test(c.text))).toBe(true);
    expect(chunks.map((c) => c.text).join("\n")).toBe(text);
  });
});

describe("checklist validation over retrieved evidence (loopback LLM server)", () => {
  let repo: TempRepo;
  let server: LlmServer;
  const files: Record<string, string> = {
    "src/auth/password.ts":
      'import bcrypt from "bcryptjs";\n\n/** Passwords are salted and hashed with bcrypt (cost 12) before they are stored. */\nexport async function hashPassword(plain: string): Promise<string> {\n  return bcrypt.hash(plain, 12);\n}\n',
    "src/http/rate-limit.ts":
      "/** Rejects a client with HTTP 429 Too Many Requests after 100 requests per minute. */\nexport function rateLimit(count: number): number {\n  return count > 100 ? 429 : 200;\n}\n",
    "src/cart/total.ts": "export function cartTotal(prices: number[]): number {\n  return prices.reduce((a, b) => a + b, 0);\n}\n",
  };
  // Noise the retriever must not send: 150 plausible files about unrelated things.
  for (let i = 0; i < 150; i++)
    files[`src/noise/module${i}.ts`] = `export function render${i}(widget: Widget) {\n  return layout(widget.children, ${i});\n}\n`.repeat(6);
  files["specs/001-auth/checklists/security.md"] =
    "# Security Checklist\n## Auth\n- [ ] CHK001 Passwords are hashed with a salted password hashing algorithm before storage\n- [ ] CHK002 Clients exceeding 100 requests per minute are rejected with HTTP 429\n- [ ] CHK003 Audit log records every admin login (optional)\n";

  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit("all", files);
    server = await startLlmServer((ex) => {
      const p = promptText(ex);
      const status =
        /Checklist item CHK001/.test(p) && p.includes("--- src/auth/password.ts") ? "PASSED" : /Checklist item CHK002/.test(p) ? "FAILED" : "UNCLEAR";
      return { text: JSON.stringify({ status, explanation: `judged ${status}`, evidence: [] }) };
    });
  });
  afterAll(async () => {
    await server?.close();
    await repo?.cleanup();
  });

  it("sends each item only its relevant chunks, within the token budget, and records the judgement", async () => {
    const items = parseChecklist("checklists/security.md", files["specs/001-auth/checklists/security.md"], true);
    expect(items.map((i) => [i.id, i.required])).toEqual([
      ["CHK001", true],
      ["CHK002", true],
      ["CHK003", false],
    ]);
    const index = await evidenceIndex({
      dir: repo.dir,
      changedFiles: ["src/auth/password.ts", "src/http/rate-limit.ts"],
      chunkLines: 40,
      exclude: ["specs/001-auth/checklists/"],
    });
    expect(index.files.some((f) => f.includes("checklists/"))).toBe(false);
    expect(index.size).toBeGreaterThan(150);
    const config = parseQaConfig({ checklist: { token_budget: 600, top_k: 5 } }).checklist;
    const llm = createLlm({ provider: "openai", apiKey: "sk-test-qa-0000000000000000", baseUrl: server.openaiBaseUrl, model: "gpt-4.1", maxAttempts: 1 });
    const results = await validateChecklist({ items, index, judge: llmJudge(llm), config, concurrency: 1 });

    expect(results.map((r) => [r.id, r.status])).toEqual([
      ["CHK001", "PASSED"],
      ["CHK002", "FAILED"],
      ["CHK003", "UNCLEAR"],
    ]);
    const sent = server.requests.filter((r) => r.protocol === "openai").map((r) => promptText(r));
    expect(sent).toHaveLength(3);
    const evidenceOf = (p: string) => p.slice(p.indexOf("Evidence:\n") + 10, p.indexOf("\n\nReply as JSON"));
    const ids = (p: string) => [...evidenceOf(p).matchAll(/^--- (\S+)/gm)].map((m) => m[1]);
    // Relevance: the evidence chunk is the FIRST one sent; the cart and noise files are not sent for it.
    expect(ids(sent[0])[0]).toMatch(/^src\/auth\/password\.ts:/);
    expect(ids(sent[1])[0]).toMatch(/^src\/http\/rate-limit\.ts:/);
    for (const p of sent.slice(0, 2)) expect(ids(p).some((id) => id.startsWith("src/cart/"))).toBe(false);
    // Budget: the evidence block of every request stays within 600 tokens; the repository was far larger.
    for (const p of sent) expect(estimateTokens(evidenceOf(p))).toBeLessThanOrEqual(600);
    const repoTokens = (await Promise.all(index.files.map((f) => index.fileText(f)))).reduce((a, t) => a + estimateTokens(t ?? ""), 0);
    expect(repoTokens).toBeGreaterThan(10 * 600);
    expect(results.every((r) => r.tokensSent <= 600)).toBe(true);
    expect(results[0].evidence[0]).toMatchObject({ file: "src/auth/password.ts", changed: true });
  });

  it("fuses embeddings from the configured provider when enabled (and still holds the budget)", async () => {
    const index = await evidenceIndex({ dir: repo.dir, changedFiles: [], chunkLines: 40, exclude: ["specs/001-auth/checklists/"] });
    const before = server.requests.filter((r) => r.protocol === "embeddings").length;
    const embedder = createEmbedder({ apiKey: "sk-test-qa-0000000000000000", baseUrl: server.openaiBaseUrl, model: "text-embedding-3-small" });
    // Two BM25 candidates (the password file matches "password"), so there is an order to fuse.
    const r = await retrieve(index, "requests per minute rejected with HTTP 429, not a password check", {
      budgetTokens: 400,
      topK: 5,
      changedBoost: 1,
      embedder,
      embeddingCandidates: 20,
    });
    expect(server.requests.filter((x) => x.protocol === "embeddings").length).toBeGreaterThan(before);
    expect(r.selected[0].chunk.file).toBe("src/http/rate-limit.ts");
    expect(r.tokens).toBeLessThanOrEqual(400);
  });

  it("turns the spec's acceptance scenarios into required items", () => {
    const spec =
      "# Feature Specification: Auth\n## User Scenarios & Testing *(mandatory)*\n### User Story 1 - Sign in (Priority: P1)\n**Acceptance Scenarios**:\n1. **Given** a registered user, **When** they sign in with the right password, **Then** a session starts\n2. **Given** a wrong password, **When** they sign in, **Then** they see an error\n---\n### User Story 2 - Sign out (Priority: P2)\n1. **Given** a session, **When** the user signs out, **Then** the session ends\n## Requirements *(mandatory)*\n1. **Given** not a scenario\n";
    const items = parseAcceptanceScenarios("spec.md", spec);
    expect(items.map((i) => i.id)).toEqual(["US1-AS1", "US1-AS2", "US2-AS1"]);
    expect(items[0]).toMatchObject({
      required: true,
      text: "Sign in: Given a registered user, When they sign in with the right password, Then a session starts",
    });
  });
});

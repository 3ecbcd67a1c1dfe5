// The one retrieval index (QA evidence and agent context): files listed by git, read inside the
// repository only, chunks read again only when selected and only if unchanged, token lists
// reused for unchanged content, top-k identical to ranking everything.
import { appendFile, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RetrievalIndex } from "../../f/devgodzilla/lib/project/retrieval.ts";
import { gitIn, tempDir, tempProject } from "../helpers/git-fixtures.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function repo(files: Record<string, string>): Promise<string> {
  const p = await tempProject(files, "dg-index-");
  cleanups.push(p.cleanup);
  await gitIn(p.dir, ["init", "-q", "-b", "main"]);
  await gitIn(p.dir, ["add", "-A"]);
  await gitIn(p.dir, ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "seed"]);
  return p.dir;
}

describe("RetrievalIndex over a repository", () => {
  it("indexes tracked and untracked files git lists, never ignored, generated, lock, secret or binary files", async () => {
    const dir = await repo({
      ".gitignore": "tmp/\n",
      "src/a.ts": "export const alpha = 1;\n",
      "package-lock.json": '{"alpha": 1}\n',
      "dist/a.js": "exports.alpha = 1;\n",
      ".env": "ALPHA_KEY=1\n",
      "certs/server.pem": "alpha\n",
    });
    await writeFile(path.join(dir, "notes.md"), "# alpha notes\n");
    await mkdir(path.join(dir, "tmp"));
    await writeFile(path.join(dir, "tmp/alpha.ts"), "export const alpha = 2;\n");
    await writeFile(path.join(dir, "logo.dat"), Buffer.from([0x61, 0, 0x62, 0x63]));
    const index = await RetrievalIndex.ofRepository({ dir });
    expect(index.files).toEqual([".gitignore", "notes.md", "src/a.ts"]);
    expect(
      index
        .search("alpha", 10)
        .map((r) => r.chunk.file)
        .sort(),
    ).toEqual(["notes.md", "src/a.ts"]);
  });

  it("reads a link only while it stays inside: tracked or untracked links out of the repository read as nothing, one inside reads as its target", async () => {
    const outside = await tempDir("dg-outside-");
    cleanups.push(outside.cleanup);
    await writeFile(path.join(outside.dir, "secret.txt"), "launch codes zebra\n");
    const dir = await repo({ "src/a.ts": "export const zebra = 1;\n" });
    await symlink(path.join(outside.dir, "secret.txt"), path.join(dir, "tracked-link.txt"));
    await gitIn(dir, ["add", "tracked-link.txt"]);
    await symlink("../../" + path.relative(path.dirname(dir), outside.dir) + "/secret.txt", path.join(dir, "relative-link.txt"));
    await symlink("a.ts", path.join(dir, "src/alias.ts"));
    await gitIn(dir, ["add", "src/alias.ts"]);
    const index = await RetrievalIndex.ofRepository({ dir });
    expect(index.files).toEqual(["src/a.ts", "src/alias.ts"]);
    expect(index.search("launch codes", 5)).toEqual([]);
    expect(await index.fileText("src/alias.ts")).toBe("export const zebra = 1;\n");
  });

  it("a selected chunk is read again as indexed; once its file changed it reads as null, never as other text", async () => {
    const text = Array.from({ length: 30 }, (_, i) => `export function step${i}(x: number) {\n  return x * ${i};\n}\n`).join("\n");
    const dir = await repo({ "src/steps.ts": text });
    const index = await RetrievalIndex.ofRepository({ dir, chunkLines: 12 });
    const [best] = index.search("step17", 1);
    expect(best!.chunk.file).toBe("src/steps.ts");
    const [chunkText] = await index.read([best!.chunk]);
    const lines = text.split("\n");
    expect(chunkText).toBe(lines.slice(best!.chunk.startLine - 1, best!.chunk.endLine).join("\n"));
    expect(chunkText).toContain("export function step17");
    await appendFile(path.join(dir, "src/steps.ts"), "// edited\n");
    expect(await index.read([best!.chunk])).toEqual([null]);
  });

  it("reuses the token lists of unchanged files: a second index reads only what changed", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`src/m${i}.ts`] = `export const module${i} = "distinct content ${i}";\n`;
    const dir = await repo(files);
    const first = await RetrievalIndex.ofRepository({ dir, chunkLines: 40 });
    expect(first.built).toMatchObject({ files: 20 });
    await writeFile(path.join(dir, "src/m3.ts"), "export const module3 = 'changed';\n");
    await writeFile(path.join(dir, "src/new.ts"), "export const fresh = true;\n");
    const second = await RetrievalIndex.ofRepository({ dir, chunkLines: 40 });
    expect(second.built).toEqual({ files: 21, read: 2 });
    expect(second.search("changed", 1)[0]!.chunk.file).toBe("src/m3.ts");
    const stale = second.search("distinct", 30).map((r) => r.chunk.file);
    expect(stale).toHaveLength(19);
    expect(stale).not.toContain("src/m3.ts");
  });
});

describe("RetrievalIndex search", () => {
  const words = "order invoice payment refund customer ledger account balance shipment parcel carrier token session login".split(" ");
  // A deterministic corpus where many chunks match each query, with ties.
  const documents = Array.from({ length: 300 }, (_, i) => ({
    file: `src/f${i}.ts`,
    text: Array.from(
      { length: 6 },
      (_, j) => `export function ${words[(i * 7 + j * 3) % words.length]}${words[(i + j) % words.length]}() { return "${words[(i * j) % words.length]}"; }`,
    ).join("\n"),
    changed: i % 10 === 0,
  }));
  const index = RetrievalIndex.ofDocuments(documents, 3);

  it("the top k equal the first k of ranking every matching chunk, ties included", () => {
    for (const q of ["refund the payment", "customer ledger balance", "session token login", "carrier"]) {
      const all = index.search(q, index.size, { changedBoost: 1.5 });
      expect(all.length).toBeGreaterThan(20);
      for (const k of [1, 5, 12]) expect(index.search(q, k, { changedBoost: 1.5 })).toEqual(all.slice(0, k));
    }
  });

  it("expands a query word to identifiers one or two characters longer, not further", () => {
    const idx = RetrievalIndex.ofDocuments([
      { file: "a", text: "router.get('/healthz', ok)" },
      { file: "b", text: "const healthcheck = true" },
    ]);
    expect(idx.search("health", 5).map((r) => r.chunk.file)).toEqual(["a"]);
  });

  it("ranks the code that does what the query says above a comment that only restates it", () => {
    const idx = RetrievalIndex.ofDocuments([
      {
        file: "a.ts",
        text: "/** Refunds are capped at the captured amount of the payment. */\nexport function renderRefundBadge(el: Element) {\n  el.textContent = 'refund';\n}",
      },
      {
        file: "b.ts",
        text: "export function assertRefundable(payment: Payment, refundCents: number) {\n  if (refundCents > payment.capturedAmountCents) throw new Error('refund exceeds captured amount');\n}",
      },
      { file: "c.py", text: "# Refunds are capped at the captured amount of the payment.\ndef render_refund_badge(el):\n    el.text = 'refund'\n" },
    ]);
    expect(idx.search("Refunds are capped at the captured payment amount", 3).map((r) => r.chunk.file)[0]).toBe("b.ts");
  });

  it("a file filter ranks only the files it keeps, in the order ranking everything gives them (a spec restating the query is left out)", () => {
    const idx = RetrievalIndex.ofDocuments([
      { file: "specs/001-cart/spec.md", text: "Given a cart with two items, when one is removed, then the total drops by its price." },
      {
        file: "src/cart.ts",
        text: "export function removeItem(cart: Cart, id: string) {\n  cart.items = cart.items.filter((i) => i.id !== id);\n  cart.total = sum(cart.items);\n}",
      },
      { file: "_step/agent", text: "I removed the item and the total drops by its price, as the cart spec says." },
      ...documents,
    ]);
    const query = "when an item is removed from the cart the total drops by its price";
    const notSpec = (file: string) => !file.startsWith("specs/001-cart/") && !file.startsWith("_step/");
    const all = idx.search(query, idx.size);
    expect(
      all
        .slice(0, 2)
        .map((r) => r.chunk.file)
        .sort(),
    ).toEqual(["_step/agent", "specs/001-cart/spec.md"]);
    const kept = idx.search(query, 5, { only: notSpec });
    expect(kept[0]!.chunk.file).toBe("src/cart.ts");
    expect(kept).toEqual(all.filter((r) => notSpec(r.chunk.file)).slice(0, 5));
  });

  it("in-memory documents are searched and read like files", async () => {
    const [hit] = index.search("shipment parcel", 1);
    const [text] = await index.read([hit!.chunk]);
    expect(text).toMatch(/shipment|parcel/);
  });
});

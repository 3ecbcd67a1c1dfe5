// The context given to agents and models: the repository's most relevant files under a token
// budget, from the one retrieval index (files listed by git), never the whole repository.
import { afterEach, describe, expect, it } from "vitest";
import { selectContext } from "../../f/devgodzilla/lib/llm/context.ts";
import { gitIn, tempProject } from "../helpers/git-fixtures.ts";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function project(files: Record<string, string>, commit = true) {
  const p = await tempProject(files, "dg-ctx-");
  cleanup = p.cleanup;
  await gitIn(p.dir, ["init", "-q", "-b", "main"]);
  if (commit) {
    await gitIn(p.dir, ["add", "-A"]);
    await gitIn(p.dir, ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "seed"]);
  }
  return p.dir;
}

describe("context selection", () => {
  it("picks files relevant to the query under the token budget, never the whole repo", async () => {
    const files: Record<string, string> = {
      "README.md": "# Shop\nA small shop app.\n",
      "src/auth/login.ts": "export function login(password: string) { /* session token */ }\n",
      "src/cart.ts": "export const cart = [];\n",
      "node_modules/x/login.js": "login login login",
      ".env": "LOGIN_PASSWORD=hunter2 login",
      "src/auth/config.json": '{"login": {"apiKey": "sk-proj-abcdefghijklmnopqrstuvwx"}}',
    };
    for (let i = 0; i < 30; i++) files[`src/filler${i}.ts`] = `// filler ${i}\n${"const x = 1;\n".repeat(200)}`;
    // Not committed: untracked files count as much as tracked ones.
    const root = await project(files, false);
    const sel = await selectContext({ root, query: "Add password reset to the login flow", budgetTokens: 300 });
    const paths = sel.files.map((f) => f.path);
    expect(paths[0]).toBe("src/auth/login.ts");
    expect(paths).toContain("README.md");
    expect(paths.some((p) => p.startsWith("node_modules"))).toBe(false);
    expect(paths.some((p) => p.includes("filler"))).toBe(false);
    expect(sel.totalTokens).toBeLessThanOrEqual(300);
    expect(sel.markdown).toContain("### src/auth/login.ts");
    // secrets never reach a prompt: .env is skipped, key-shaped strings are redacted
    expect(paths).not.toContain(".env");
    expect(paths).toContain("src/auth/config.json");
    expect(sel.markdown).not.toContain("sk-proj-abcdefghijklmnopqrstuvwx");
    expect(sel.markdown).toContain("[REDACTED]");
  });

  it("honours .gitignore: an ignored file is never context, however relevant", async () => {
    const root = await project({
      ".gitignore": "generated/\n*.log\n",
      "generated/invoice_totals.ts": "export const invoiceTotals = computeInvoiceTotals(); // invoice totals invoice",
      "debug.log": "invoice totals computed: invoice invoice invoice",
      "src/invoice.ts": "export function invoiceTotal(lines: number[]) { return lines.reduce((a, b) => a + b, 0); }\n",
    });
    const sel = await selectContext({ root, query: "invoice totals", budgetTokens: 2000 });
    expect(sel.files.map((f) => f.path)).toEqual(["src/invoice.ts"]);
    expect(sel.considered).toBe(2); // .gitignore and src/invoice.ts
  });

  it("never sends DevGodzilla's own run records (a committed QA report of an earlier task), however relevant", async () => {
    const root = await project({
      "specs/001-invoices/_runtime/T001/qa-report.md": "# QA report\n| test | `npm test` | passed | 3/3 | 1.2s |\ninvoice totals invoice totals\n",
      "specs/001-invoices/spec.md": "# Invoices\nThe invoice totals are the sum of the lines.\n",
      "src/invoice.ts": "export function invoiceTotal(lines: number[]) { return lines.reduce((a, b) => a + b, 0); }\n",
    });
    const sel = await selectContext({ root, query: "invoice totals", budgetTokens: 2000 });
    expect(sel.files.map((f) => f.path).sort()).toEqual(["specs/001-invoices/spec.md", "src/invoice.ts"]);
  });

  it("of a file over the per-file cap, sends the chunks that match, not its beginning", async () => {
    const filler = Array.from({ length: 40 }, (_, i) => `export function helper${i}(x: number) {\n  return x + ${i};\n}\n`).join("\n");
    const root = await project({
      "src/big.ts": `${filler}\nexport function refundPayment(paymentId: string, refundCents: number) {\n  return ledger.refund(paymentId, refundCents);\n}\n${filler}`,
    });
    const sel = await selectContext({ root, query: "refund a payment", budgetTokens: 1200, maxFileTokens: 200 });
    expect(sel.files).toHaveLength(1);
    expect(sel.files[0]).toMatchObject({ path: "src/big.ts", truncated: true });
    expect(sel.files[0]!.content).toContain("export function refundPayment");
    expect(sel.files[0]!.content).toMatch(/^\[lines \d+-\d+\]\n/);
    expect(sel.files[0]!.content).not.toContain("helper5("); // the file begins with helper0…helper39
    expect(sel.files[0]!.tokens).toBeLessThanOrEqual(200 + 20);
  });

  it("leaves out excluded paths and the constitution (the prompts include it themselves)", async () => {
    const root = await project({
      ".specify/memory/constitution.md": "# Constitution\nEvery invoice total is computed in integer cents.\n",
      "specs/001-invoices/spec.md": "# Invoices\nInvoice totals are shown per customer.\n",
      "src/invoice.ts": "export const invoiceTotalCents = (lines: number[]) => lines.reduce((a, b) => a + b, 0);\n",
    });
    const sel = await selectContext({ root, query: "invoice totals in cents", exclude: ["specs"] });
    expect(sel.files.map((f) => f.path)).toEqual(["src/invoice.ts"]);
  });
});

// bench:qa-verdict — does QA reject bad work and accept good work? A labelled set of task outcomes,
// built in temp dirs from small repositories in five ecosystems (node:test, vitest, pytest, go test,
// cargo test; qa-verdict-kits.ts), each with a Spec Kit feature (spec with acceptance scenarios,
// tasks naming the criteria they implement) and a tests-first constitution. Every outcome is a real
// git commit on top of the feature's base; QA runs its real deterministic gates on it (real git, the
// project's real test runner in the sandbox at head and at the base commit), and its LLM parts
// on the loopback model twice: with a judge that says yes to everything, and with no LLM.
//
// The outcomes are how such changes are really written: a correct implementation (inline, with a
// helper module, with more tests); and bad ones — wrong code whose weak test passes, the failing
// test deleted / one case removed / skipped, its assertion loosened, removed, made a tautology or
// its expected value edited to what the wrong code returns, no change, a test the runner never
// collects, the project's existing test deleted to hide a regression, a README-only change, an
// unrelated edit, code without a test.
//
// Prints one row per outcome, the confusion table per kind, the rate of bad outcomes rejected and of
// good ones wrongly rejected per mode; exits 1 below the targets (≥ 0.95 rejected, ≤ 0.05 wrongly
// rejected). Last line: one JSON object.
//   npm run bench:qa-verdict [-- --kit pytest] [--outcome implement] [--mode none] [--concurrency 2] [--verbose] [--runner-output]

import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execa } from "execa";
import { startLlmServer } from "../scripts/fakes/llm-server.ts";
import { createLlm } from "../f/devgodzilla/lib/llm/client.ts";
import { llmJudge, type Judge } from "../f/devgodzilla/lib/qa/checklist.ts";
import { parseQaConfig } from "../f/devgodzilla/lib/qa/config.ts";
import { runQaInDir, type QaTask } from "../f/devgodzilla/lib/qa/run.ts";
import { featurePaths } from "../f/devgodzilla/lib/speckit/paths.ts";
import { parseTasksMd } from "../f/devgodzilla/lib/speckit/tasks.ts";
import type { Verdict } from "../f/devgodzilla/lib/qa/types.ts";
import { featureFiles, kits, TITLES, type Case, type Files, type Kit, type Scenario } from "./qa-verdict-kits.ts";

const TARGET_REJECTED = 0.95;
const TARGET_WRONGLY_REJECTED = 0.05;
const FEATURE = "001-cart-total";

interface Outcome {
  id: string;
  kind: string;
  good: boolean;
  scenario: Scenario;
  /** The agent's commit; null: it committed nothing. */
  change: ((k: Kit) => Files) | null;
}

const as1 = (k: Kit, body = k.asserts.as1, skip = false): Case => ({ name: TITLES.as1, body, skip });
const as2 = (k: Kit): Case => ({ name: TITLES.as2, body: k.asserts.as2 });

const OUTCOMES: Outcome[] = [
  // T001 wrote the failing tests; T002 is the code.
  { id: "implement", kind: "good: implementation", good: true, scenario: "tests-first", change: (k) => ({ [k.paths.code]: k.code.correct }) },
  {
    id: "implement-with-helper",
    kind: "good: implementation",
    good: true,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.withHelper, [k.paths.helper]: k.helper, ...k.helperWiring }),
  },
  {
    id: "implement-more-tests",
    kind: "good: implementation",
    good: true,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.correct, [k.paths.newTest]: k.testFile([as1(k), as2(k), { name: TITLES.single, body: k.asserts.single }]) }),
  },
  {
    id: "wrong-assert-loosened",
    kind: "assertion loosened",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1Weak), as2(k)]) }),
  },
  {
    id: "wrong-assert-removed",
    kind: "assertion loosened",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1Removed), as2(k)]) }),
  },
  {
    id: "wrong-assert-tautology",
    kind: "assertion made a tautology",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1Tautology), as2(k)]) }),
  },
  {
    id: "wrong-expected-edited",
    kind: "expected value edited to fit",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1Edited), as2(k)]) }),
  },
  {
    id: "wrong-test-skipped",
    kind: "test skipped",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1, true), as2(k)]) }),
  },
  {
    id: "wrong-test-file-deleted",
    kind: "test deleted",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: null }),
  },
  {
    id: "wrong-test-case-removed",
    kind: "test deleted",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as2(k)]) }),
  },
  {
    id: "wrong-test-moved-uncollected",
    kind: "test never collected",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: null, [k.paths.uncollectedTest]: k.testFile([as1(k), as2(k)]) }),
  },
  { id: "no-change", kind: "no change", good: false, scenario: "tests-first", change: null },
  {
    id: "readme-only",
    kind: "README-only change",
    good: false,
    scenario: "tests-first",
    change: (k) => ({
      [k.paths.readme]: `${k.base[k.paths.readme] ?? ""}\n## Cart total\n\n\`total(prices)\` returns the sum of the prices in a cart (0 for an empty cart).\n`,
    }),
  },
  {
    id: "regression-existing-test-deleted",
    kind: "existing tests deleted (regression hidden)",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.brokenExisting, [k.paths.existingTest]: null }),
  },
  {
    id: "implement-plus-unrelated-edit",
    kind: "unrelated edit",
    good: false,
    scenario: "tests-first",
    change: (k) => ({ [k.paths.code]: k.code.correct, [k.paths.other]: k.otherEdited }),
  },
  // One task: the code and its tests together.
  {
    id: "code-with-tests",
    kind: "good: code with its tests",
    good: true,
    scenario: "one-task",
    change: (k) => ({ [k.paths.code]: k.code.correct, [k.paths.newTest]: k.testFile([as1(k), as2(k)]) }),
  },
  {
    id: "code-helper-with-tests",
    kind: "good: code with its tests",
    good: true,
    scenario: "one-task",
    change: (k) => ({ [k.paths.code]: k.code.withHelper, [k.paths.helper]: k.helper, ...k.helperWiring, [k.paths.newTest]: k.testFile([as1(k), as2(k)]) }),
  },
  {
    id: "wrong-weak-test-passes",
    kind: "wrong code, weak test passes",
    good: false,
    scenario: "one-task",
    change: (k) => ({ [k.paths.code]: k.code.wrong, [k.paths.newTest]: k.testFile([as1(k, k.asserts.as1Weak), as2(k)]) }),
  },
  {
    id: "test-never-collected",
    kind: "test never collected",
    good: false,
    scenario: "one-task",
    change: (k) => ({ [k.paths.code]: k.code.correct, [k.paths.uncollectedTest]: k.testFile([as1(k), as2(k)]) }),
  },
  { id: "code-without-tests", kind: "code without a test", good: false, scenario: "one-task", change: (k) => ({ [k.paths.code]: k.code.correct }) },
];

// ---------------------------------------------------------------- repositories

const GIT_ENV = { GIT_AUTHOR_NAME: "dev", GIT_AUTHOR_EMAIL: "dev@example.com", GIT_COMMITTER_NAME: "dev", GIT_COMMITTER_EMAIL: "dev@example.com" };

async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [p, content] of Object.entries(files)) {
    if (content === null) await rm(join(dir, p), { force: true });
    else {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), content);
    }
  }
}

/** The repository at the task's base (returns base and head commits after the outcome's commit). */
async function buildRepo(kit: Kit, o: Outcome): Promise<{ dir: string; base: string; head: string }> {
  const dir = await mkdtemp(join(tmpdir(), "dg-qa-verdict-"));
  const git = async (...args: string[]) => (await execa("git", args, { cwd: dir, env: GIT_ENV })).stdout;
  const commit = async (message: string, files: Files) => {
    await writeFiles(dir, files);
    await git("add", "-A");
    await git("commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
  };
  await git("init", "-q", "-b", "main");
  // Like `npm install` had run: the checks run sandboxed and see only the checkout, so no symlink out.
  for (const [name, from] of Object.entries(kit.installed ?? {})) await execa("cp", ["-al", from, join(dir, name)]);
  await commit("shop: count and money", kit.base);
  let base = await commit("spec: 001-cart-total", featureFiles(kit, o.scenario));
  if (o.scenario === "tests-first") base = await commit("T001 failing tests for the cart total", { [kit.paths.newTest]: kit.testFile([as1(kit), as2(kit)]) });
  await git("checkout", "-q", "-b", `devgodzilla/${FEATURE}`);
  const head = await commit(o.scenario === "tests-first" ? "T002 implement total" : "T001 implement total with tests", o.change ? o.change(kit) : {});
  return { dir, base, head };
}

function taskOf(kit: Kit, scenario: Scenario): QaTask {
  const dag = parseTasksMd(featureFiles(kit, scenario)[`specs/${FEATURE}/tasks.md`]!);
  const t = dag.tasks.find((x) => !x.done)!;
  return { id: t.id, description: t.description, files: t.files, story: t.story, body: t.body };
}

// ---------------------------------------------------------------- running QA

type Mode = "permissive" | "none";

interface Row {
  kit: string;
  outcome: string;
  kind: string;
  good: boolean;
  verdicts: Partial<Record<Mode, { passed: boolean; blocking: string[]; messages: string[] }>>;
}

async function qa(kit: Kit, o: Outcome, judges: Record<Mode, Judge | null>, modes: Mode[]): Promise<Row> {
  const repo = await buildRepo(kit, o);
  const row: Row = { kit: kit.id, outcome: o.id, kind: o.kind, good: o.good, verdicts: {} };
  try {
    for (const mode of modes) {
      const { verdict } = await runQaInDir({
        dir: repo.dir,
        base: repo.base,
        head: repo.head,
        branch: `devgodzilla/${FEATURE}`,
        feature: featurePaths(FEATURE),
        commands: { install: [], lint: [], typecheck: [], build: [], format: [], test: [{ argv: kit.test, cwd: ".", source: "test", inferred: false }] },
        config: parseQaConfig({ checks: { timeout_seconds: 240 } }),
        judge: judges[mode],
        task: taskOf(kit, o.scenario),
        story: "US1",
      });
      row.verdicts[mode] = {
        passed: verdict.status === "passed",
        blocking: blockingCodes(verdict),
        messages: verdict.blocking.map((f) => `${f.code}: ${f.message}`),
      };
    }
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
  return row;
}

const blockingCodes = (v: Verdict) => [...new Set(v.blocking.map((f) => f.code))];

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const nodeModules = resolve(import.meta.dirname, "../node_modules");
  const kitFilter = arg("kit");
  const outcomeFilter = arg("outcome");
  const modes: Mode[] = arg("mode") ? [arg("mode") as Mode] : ["permissive", "none"];
  const concurrency = Number(arg("concurrency") ?? 2);
  const verbose = process.argv.includes("--verbose");
  // The checks echo the runner's output line by line ("[qa test] …"); the bench shows its own rows.
  const say = console.log.bind(console);
  if (!process.argv.includes("--runner-output"))
    console.log = (...a: unknown[]) => (typeof a[0] === "string" && a[0].startsWith("[qa ") ? undefined : say(...a));
  const chosen = kits(nodeModules).filter((k) => !kitFilter || k.id === kitFilter || k.id.startsWith(kitFilter));
  const outcomes = OUTCOMES.filter((o) => !outcomeFilter || o.id === outcomeFilter);

  // The permissive judge: the loopback model answers PASSED to every checklist item and principle.
  const server = await startLlmServer(() => ({ text: JSON.stringify({ status: "PASSED", explanation: "The change does what is asked.", evidence: [] }) }));
  const llm = createLlm({ provider: "openai", apiKey: "sk-bench-qa-verdict-000000000000", baseUrl: server.openaiBaseUrl, model: "gpt-4.1", maxAttempts: 1 });
  const judges: Record<Mode, Judge | null> = { permissive: llmJudge(llm), none: null };

  const started = Date.now();
  const jobs = chosen.flatMap((k) => outcomes.map((o) => ({ k, o })));
  let rows: Row[];
  try {
    rows = await pool(jobs, concurrency, async ({ k, o }) => {
      const r = await qa(k, o, judges, modes);
      const cells = modes.map((m) => `${m}: ${r.verdicts[m]!.passed ? "accept" : "reject"}`).join("  ");
      const wrong = modes.some((m) => r.verdicts[m]!.passed !== r.good);
      console.log(
        `${wrong ? "✗" : "✓"} ${k.id.padEnd(10)} ${o.id.padEnd(34)} ${(r.good ? "good" : "bad").padEnd(5)} ${cells}  ${verbose || wrong ? r.verdicts[modes[0]!]!.blocking.join(",") || "-" : ""}`,
      );
      if (verbose) for (const m of modes) for (const msg of r.verdicts[m]!.messages) say(`      ${m}: ${msg.slice(0, 300)}`);
      return r;
    });
  } finally {
    await server.close();
  }
  // The permissive judge was asked (checklist items and principles): its yes did not let bad work through.
  const llmRequests = server.requests.length;

  // Confusion table per kind.
  const kinds = [...new Set(OUTCOMES.filter((o) => outcomes.includes(o)).map((o) => o.kind))];
  console.log(`\n| kind | outcomes | ${modes.map((m) => `rejected (${m === "none" ? "no LLM" : "permissive LLM"})`).join(" | ")} |`);
  console.log(`|---|---|${modes.map(() => "---").join("|")}|`);
  for (const kind of kinds) {
    const rs = rows.filter((r) => r.kind === kind);
    console.log(`| ${kind} | ${rs.length} | ${modes.map((m) => `${rs.filter((r) => !r.verdicts[m]!.passed).length}/${rs.length}`).join(" | ")} |`);
  }
  const figures: Record<string, unknown> = {
    bench: "qa-verdict",
    kits: chosen.map((k) => k.id),
    outcomes: rows.length,
    llm_requests: llmRequests,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  let ok = true;
  console.log("");
  for (const m of modes) {
    const bad = rows.filter((r) => !r.good);
    const good = rows.filter((r) => r.good);
    const rejected = bad.length ? bad.filter((r) => !r.verdicts[m]!.passed).length / bad.length : 1;
    const wronglyRejected = good.length ? good.filter((r) => !r.verdicts[m]!.passed).length / good.length : 0;
    const meets = rejected >= TARGET_REJECTED && wronglyRejected <= TARGET_WRONGLY_REJECTED;
    ok &&= meets;
    console.log(
      `${m === "none" ? "no LLM        " : "permissive LLM"}: bad rejected ${rejected.toFixed(3)} (${bad.filter((r) => !r.verdicts[m]!.passed).length}/${bad.length}, target ≥ ${TARGET_REJECTED}), good accepted ${(1 - wronglyRejected).toFixed(3)} (${good.filter((r) => r.verdicts[m]!.passed).length}/${good.length}; wrongly rejected ${wronglyRejected.toFixed(3)}, target ≤ ${TARGET_WRONGLY_REJECTED}) ${meets ? "✓" : "✗"}`,
    );
    figures[m] = { bad_rejected: Number(rejected.toFixed(3)), good_wrongly_rejected: Number(wronglyRejected.toFixed(3)), bad: bad.length, good: good.length };
  }
  figures.meets_targets = ok;
  console.log(JSON.stringify(figures));
  if (!ok) process.exitCode = 1;
}

await main();

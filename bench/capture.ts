// bench:capture — what execute_task pays after the agent: the commit, then the capture of the task's
// commit (changed files with their object ids, diff, logs). The capture must follow the number of
// CHANGED files, not the repository's size. Real git repositories in a temp dir:
//  A. repository size ×1, ×10, ×100 (200, 2,000, 20,000 files), the same 10 changes (6 modified,
//     3 added, 1 deleted): capture cost must not grow with the repository (exponent ≤ 0.2);
//  B. changed files ×1, ×10, ×100 (10, 100, 1,000) in a 2,000-file repository: linear (≤ 1.2).
// Each row: median / mean / p90 of the capture, git's CPU time per capture, the commit (once), and
// for comparison the capture of UNcommitted work (it needs a stat pass over the tree).
// Exit code 1 when a target is missed or a capture reports the wrong files. Last line: one JSON object.

import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { commitAll } from "../f/devgodzilla/lib/git.ts";
import { Redactor } from "../f/devgodzilla/lib/redact.ts";
import { captureArtifacts } from "../f/devgodzilla/lib/workspace/artifacts.ts";
import { fmtStats, growthExponent, machine, printTable, round, roundStats, stats, type Stats } from "./lib/stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_REPO_EXPONENT = 0.2;
const MAX_CHANGE_EXPONENT = 1.2;
const redactor = new Redactor(["not-a-real-secret-value"]);

async function git(dir: string, args: string[]) {
  return (await execa("git", args, { cwd: dir })).stdout;
}

/** A committed repository of `nFiles` files, 100 per directory, two levels deep, like a source tree. */
async function makeRepo(dir: string, nFiles: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "--quiet", "-b", "main"]);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < nFiles; i++) {
    const d = path.join(dir, "src", `m${Math.floor(i / 1000)}`, `p${Math.floor(i / 100) % 10}`);
    if (i % 100 === 0) await mkdir(d, { recursive: true });
    writes.push(writeFile(path.join(d, `f${i}.ts`), `export const v${i} = ${i};\n// ${"x".repeat(200)}\n`));
    if (writes.length >= 500) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await git(dir, ["add", "--all"]);
  await git(dir, ["-c", "user.name=b", "-c", "user.email=b@example.test", "commit", "--quiet", "-m", "seed"]);
  return (await git(dir, ["rev-parse", "HEAD"])).trim();
}

/** `n` changes: 60 % modified, 30 % added, 10 % deleted, spread over the tree. */
async function change(dir: string, nFiles: number, n: number): Promise<void> {
  const deleted = Math.max(1, Math.round(n * 0.1));
  const added = Math.max(1, Math.round(n * 0.3));
  const modified = n - deleted - added;
  const fileOf = (i: number) => path.join(dir, "src", `m${Math.floor(i / 1000)}`, `p${Math.floor(i / 100) % 10}`, `f${i}.ts`);
  const stride = Math.max(1, Math.floor(nFiles / (modified + deleted)));
  for (let k = 0; k < modified; k++) await writeFile(fileOf((k * stride) % nFiles), `export const changed${k} = ${k};\n`);
  for (let k = 0; k < deleted; k++) await unlink(fileOf(((modified + k) * stride) % nFiles));
  await mkdir(path.join(dir, "src", "new"), { recursive: true });
  for (let k = 0; k < added; k++) await writeFile(path.join(dir, "src", "new", `added${k}.ts`), `export const added${k} = true;\n`);
  await git(dir, ["update-index", "--refresh", "-q"]).catch(() => undefined); // a warm index, as after an agent run
}

/** CPU time (ms) of this process's finished children (git), from /proc/self/stat (10 ms ticks). */
async function childCpuMs(): Promise<number> {
  const stat = await readFile("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

interface Row {
  files: number;
  changes: number;
  reported: number;
  capture: Stats;
  gitCpuMs: number;
  uncommitted: Stats;
  commitMs: number;
}

async function measure(root: string, nFiles: number, nChanges: number): Promise<Row> {
  const dir = path.join(root, `r${nFiles}-${nChanges}`);
  const base = await makeRepo(dir, nFiles);
  await change(dir, nFiles, nChanges);
  const uncommitted: number[] = [];
  await captureArtifacts({ dir, base, redactor, stage: false }); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await captureArtifacts({ dir, base, redactor, stage: false });
    uncommitted.push(performance.now() - s);
  }
  const c0 = performance.now();
  await commitAll(dir, "T001: bench change");
  const commitMs = performance.now() - c0;
  const times: number[] = [];
  let cpu = 0;
  let reported = 0;
  await captureArtifacts({ dir, base, redactor, committed: true }); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const cpu0 = await childCpuMs();
    const s = performance.now();
    const a = await captureArtifacts({ dir, base, redactor, logs: { agent: "done" }, committed: true });
    times.push(performance.now() - s);
    cpu += (await childCpuMs()) - cpu0;
    reported = a.files.length;
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  return { files: nFiles, changes: nChanges, reported, capture: stats(times), gitCpuMs: cpu / RUNS, uncommitted: stats(uncommitted), commitMs };
}

function print(title: string, rows: Row[]) {
  console.log(`\n${title}\n`);
  printTable(
    ["files", "changes", "reported", "capture of the commit (ms)", "git CPU per capture (ms)", "uncommitted capture (ms)", "commit (ms, once)"],
    rows.map((r) => [r.files, r.changes, r.reported, fmtStats(r.capture, 1), r.gitCpuMs.toFixed(1), fmtStats(r.uncommitted, 1), r.commitMs.toFixed(0)]),
  );
}

const json = (r: Row) => ({
  files: r.files,
  changes: r.changes,
  reported: r.reported,
  capture_ms: roundStats(r.capture, 1),
  git_cpu_ms: round(r.gitCpuMs, 1),
  uncommitted_ms: roundStats(r.uncommitted, 1),
  commit_ms: round(r.commitMs, 1),
});

async function main(): Promise<number> {
  const root = await mkdtemp(path.join(tmpdir(), "dgz-bench-capture-"));
  try {
    const byRepo: Row[] = [];
    for (const n of [200, 2000, 20000]) byRepo.push(await measure(root, n, 10));
    const byChanges: Row[] = [];
    for (const c of [10, 100, 1000]) byChanges.push(await measure(root, 2000, c));
    const m = machine();
    console.log(`capture of a task's commit (median / mean / p90 over ${RUNS} runs; load average ${m.loadAverage} on ${m.cores} cores)`);
    print("A. repository ×1, ×10, ×100 with the same 10 changes", byRepo);
    print("B. changes ×1, ×10, ×100 in a 2,000-file repository", byChanges);
    const kRepo = growthExponent(byRepo.map((r) => [r.files, r.capture.median]));
    const kRepoUncommitted = growthExponent(byRepo.map((r) => [r.files, r.uncommitted.median]));
    const kChanges = growthExponent(byChanges.map((r) => [r.changes, r.capture.median]));
    const correct = [...byRepo, ...byChanges].every((r) => r.reported === r.changes);
    const pass = correct && kRepo <= MAX_REPO_EXPONENT && kChanges <= MAX_CHANGE_EXPONENT;
    console.log(
      `\nfitted growth exponents: capture ∝ files^${kRepo.toFixed(2)} (target ≤ ${MAX_REPO_EXPONENT}; uncommitted ∝ files^${kRepoUncommitted.toFixed(2)}), capture ∝ changes^${kChanges.toFixed(2)} (target ≤ ${MAX_CHANGE_EXPONENT})`,
    );
    console.log(`every capture reported exactly the changed files: ${correct ? "yes" : "NO"} — ${pass ? "PASS" : "FAIL"}`);
    console.log(
      JSON.stringify({
        bench: "capture",
        runs: RUNS,
        ...m,
        by_repository: byRepo.map(json),
        by_changes: byChanges.map(json),
        exponent: { repository: round(kRepo), repository_uncommitted: round(kRepoUncommitted), changes: round(kChanges) },
        max_exponent: { repository: MAX_REPO_EXPONENT, changes: MAX_CHANGE_EXPONENT },
        reported_exactly: correct,
        pass,
      }),
    );
    return pass ? 0 : 1;
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

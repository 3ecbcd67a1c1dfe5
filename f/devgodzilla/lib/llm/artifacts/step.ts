// The shape every LLM-driven spec step shares: validate input BEFORE touching anything, check out
// the exact commit named by the previous step (git.ts: mirror cache + fresh working copy), let the
// step generate content (all LLM work happens before any file is written), write, commit, push
// the run branch, return `{ branch, commit, …, usage }`. Any failure removes the working copy and
// pushes nothing, so bad input or bad model output leaves no commit and no file behind.

import { z } from "zod";
import { setProgress } from "../../platform/windmill.ts";
import { InputError } from "../../errors.ts";
import { Redactor } from "../../redact.ts";
import { checkout, commitAll, pushBranch, PushRejectedError, isRunBranch, runBranchName, type WorkingCopy, type PushStatus } from "../../git.ts";
import { featurePaths, resolveInside, validateFeatureName, CONSTITUTION_PATH, type FeaturePaths } from "../../speckit/paths.ts";
import { repoFiles } from "../../repo/files.ts";
import { createLlm, type Llm, type LlmOptions } from "../client.ts";
import { providerFromResources, type LlmResources } from "../config.ts";
import { TracingLedger, usageId, withUsage, type UsageTotals } from "../usage.ts";

export interface StepRef {
  repo: string;
  branch: string;
  commit: string;
}

export interface StepOutput {
  branch: string;
  commit: string;
  /** The commit the step started from. */
  base_commit: string;
  push: PushStatus | "replaced";
  files: string[];
  usage: UsageTotals;
  /** Identifies this step run, so a flow summing usage can skip pass-through copies of a result. */
  usage_id: string;
}

export const StepRefSchema = z.object({
  repo: z.string().trim().min(1, "is required"),
  branch: z.string().trim().min(1, "is required"),
  commit: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
});

/** Validates `{repo, branch, commit}` naming the field on failure. */
export function stepRef(input: Partial<StepRef>): StepRef {
  const r = StepRefSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(String(i.path[0] ?? "input"), i.message);
  }
  return r.data;
}

/** Feature name from an explicit parameter, else from a run branch `devgodzilla/<feature>`. */
export function featureFrom(feature: string | undefined, branch: string): FeaturePaths {
  const name = feature?.trim() || (isRunBranch(branch) ? branch.slice(branch.indexOf("/") + 1) : "");
  if (!name)
    throw new InputError(
      "feature",
      "is required when the branch is not a run branch (devgodzilla/NNN-name)",
      "pass the spec directory name, e.g. 003-user-auth",
    );
  return featurePaths(validateFeatureName(name, "feature"), "feature");
}

/** Target branch for a step: the input run branch, else the feature's run branch. */
export function targetBranch(inputBranch: string, feature: string): string {
  return isRunBranch(inputBranch) ? inputBranch : runBranchName(feature);
}

export interface LlmParams extends LlmResources {
  /** Test/tuning hooks (retries, timeouts); scripts pass their defaults. */
  options?: LlmOptions;
}

export function llmFrom(p: LlmParams): { llm: Llm; redactor: Redactor } {
  const redactor = new Redactor();
  for (const r of [p.llm, p.openai, p.anthropic]) redactor.addFrom(r);
  const cfg = providerFromResources(p);
  // TracingLedger: each call also becomes an `llm` span when telemetry is configured (free when off).
  return { llm: createLlm({ ...cfg, ledger: new TracingLedger(), ...(p.options ?? {}), redactor }), redactor };
}

/** setProgress that never fails the job (no Windmill API outside a job, or an old server). */
export async function progress(n: number): Promise<void> {
  setProgress(n);
}

export class Workspace {
  readonly written = new Set<string>();
  constructor(readonly wc: WorkingCopy) {}
  get dir(): string {
    return this.wc.dir;
  }
  // Reads go through the repository-files gateway: an artifact that is a link out of the
  // checkout reads as absent (its target never reaches the model).
  async read(rel: string): Promise<string | undefined> {
    resolveInside(this.wc.dir, rel);
    return (await repoFiles(this.wc.dir).readText(rel)) ?? undefined;
  }
  async exists(rel: string): Promise<boolean> {
    resolveInside(this.wc.dir, rel);
    return repoFiles(this.wc.dir).exists(rel);
  }
  async write(rel: string, content: string): Promise<void> {
    resolveInside(this.wc.dir, rel);
    repoFiles(this.wc.dir).writeText(rel, content.endsWith("\n") ? content : `${content}\n`);
    this.written.add(rel);
  }
  constitution(): Promise<string | undefined> {
    return this.read(CONSTITUTION_PATH);
  }
}

export interface StepRunOptions {
  ref: StepRef;
  gitToken?: string;
  llm: Llm;
  redactor: Redactor;
}

/**
 * Runs a step body in a fresh working copy at `ref.commit`. The body returns the branch to push,
 * the commit message and its own result fields; it may throw at any point (nothing is kept).
 * `readOnly` bodies (analyze) return without committing.
 */
export async function runStep<R extends object>(
  o: StepRunOptions,
  body: (ws: Workspace) => Promise<{ branch: string; message: string; result: R; readOnly?: boolean; replaceOnConflict?: boolean }>,
): Promise<StepOutput & R> {
  const wc = await checkout({ repo: o.ref.repo, commit: o.ref.commit, token: o.gitToken });
  const usage_id = usageId();
  try {
    const ws = new Workspace(wc);
    const out = await body(ws);
    const files = [...ws.written].sort();
    if (out.readOnly) {
      return {
        branch: o.ref.branch,
        commit: wc.commit,
        base_commit: wc.commit,
        push: "up-to-date",
        files,
        usage: o.llm.ledger.totals(),
        usage_id,
        ...out.result,
      };
    }
    const sha = (await commitAll(wc.dir, out.message)) ?? wc.commit;
    let push: StepOutput["push"];
    try {
      push = (await pushBranch(wc.dir, out.branch, "origin", { token: o.gitToken })).status;
    } catch (e) {
      // Re-running a step (Windmill retry, "restart from step") from the same input commit makes a
      // sibling of what the branch already holds. Run branches belong to DevGodzilla and the step's
      // result defines their state, so replace it (with a lease on what we saw).
      if (!(e instanceof PushRejectedError) || !isRunBranch(out.branch) || out.replaceOnConflict === false) throw e;
      await pushBranch(wc.dir, out.branch, "origin", { token: o.gitToken, force: true });
      push = "replaced";
    }
    return { branch: out.branch, commit: sha, base_commit: wc.commit, push, files, usage: o.llm.ledger.totals(), usage_id, ...out.result };
  } catch (e) {
    // What the step's model calls spent stays in the failed job's error (a retried step still counts it).
    throw withUsage(redactError(e, o.redactor), o.llm.ledger.totals());
  } finally {
    await wc.cleanup();
  }
}

function redactError(e: unknown, r: Redactor): unknown {
  if (e instanceof Error) {
    e.message = r.redact(e.message);
    if (e.stack) e.stack = r.redact(e.stack);
  }
  return e;
}

/** Today's date as Spec Kit writes it (UTC). */
export const today = (): string => new Date().toISOString().slice(0, 10);

// runQaInDir: the whole QA pass over one checkout — the project's checks with machine-readable test
// results at head and at the base commit, QA's own gates (empty work, scope, test integrity,
// criteria), every principle of the project's constitution, checklist validation over retrieved
// evidence, verdict, report. The `qa` script wraps it with git (checkout of the exact commit,
// report committed to the branch, push).

import { repoFiles } from "../repo/files.ts";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { checkout, commitArgs, pushBranch, PushRejectedError, isRunBranch, isDevGodzillaBranch, type WorkingCopy } from "../git.ts";
import { featurePaths, validateFeatureName, type FeaturePaths } from "../speckit/paths.ts";
import { findConstitution, renderDefaultConstitution } from "../speckit/constitution.ts";
import { ProjectProfileSchema, type ProjectProfile } from "../project/profile.ts";
import { classifyPath } from "../project/files.ts";
import { providerFromResources, type LlmResources } from "../llm/config.ts";
import { createEmbedder, createLlm, type Embedder, type Llm } from "../llm/client.ts";
import { TracingLedger, usageId, withUsage, type UsageLedger, type UsageTotals } from "../llm/usage.ts";
import { parseQaConfig, type QaConfig } from "./config.ts";
import { readBranchDiff, type BranchDiff } from "./diff.ts";
import { loadProjectAgents, parseOrgAgents, resolveReviewer } from "../agentops/assignments.ts";
import { joinReviewIntoVerdict, reviewDiff, reviewMarkdown } from "./review.ts";
import { evidenceIndex, type RetrievalIndex } from "./retrieval.ts";
import { llmJudge, notJudged, parseAcceptanceScenarios, parseChecklist, principleJudge, validateChecklist, type Judge } from "./checklist.ts";
import { runChecksAndTests } from "./checks.ts";
import { computeVerdict, renderReport } from "./verdict.ts";
import { QA_PROMPTS_VERSION } from "./prompts.ts";
import { repoSources, type Sources } from "./sources.ts";
import { buildEvidence } from "./evidence.ts";
import { checkIntegrity } from "./integrity.ts";
import { checkEmptyWork, checkScope, workFiles, type QaTask } from "./scope.ts";
import { judgeCriteria, loadCriteria, requiredCriteria } from "./criteria.ts";
import { judgePrinciples, planPrinciples } from "./principles.ts";
import { definesTests } from "./testsource.ts";
import type { ChecklistItem, ChecklistResult, Finding, GateId, GateMode, GateResult, Verdict } from "./types.ts";

export type { QaTask } from "./scope.ts";

export interface QaInDirInput {
  dir: string;
  base: string;
  head: string;
  branch: string;
  feature: FeaturePaths;
  /** null: no project checks (profile unknown). */
  commands: ProjectProfile["commands"] | null;
  config: QaConfig;
  story?: string | null;
  /** The task whose change this is (its description names the criteria it implements, its files the scope). */
  task?: QaTask | null;
  /** execute_task's outcome ("changed", "no_change", …), when the flow passes it. */
  outcome?: string | null;
  /** null: checklist items and uncovered principles are reported NOT_JUDGED / not_judged ("no LLM configured"). */
  judge: Judge | null;
  embedder?: Embedder;
  stepOutputs?: Record<string, string>;
  redactor?: Redactor;
  progress?: (pct: number) => void | Promise<void>;
  /** The c_devgodzilla_agents resource: when it names a reviewer, that agent reviews the diff read-only. */
  agents?: unknown;
  taskId?: string;
  /** Where the reviewer agent's run is recorded (the judge's and the embedder's calls are recorded there by their clients). */
  ledger?: UsageLedger;
}

export interface QaOutcome {
  verdict: Verdict;
  markdown: string;
}

export async function checklistItems(dir: string, feature: FeaturePaths, requiredByDefault: boolean): Promise<ChecklistItem[]> {
  const items: ChecklistItem[] = [];
  // Through the repository-files gateway: a checklist that is a link out of the checkout is not read.
  const repo = repoFiles(dir);
  const files = (await repo.list(feature.checklists)).filter((e) => e.kind === "file" && e.name.endsWith(".md")).map((e) => e.name);
  for (const f of files) {
    const text = await repo.readText(`${feature.checklists}/${f}`);
    if (text) items.push(...parseChecklist(`checklists/${f}`, text, requiredByDefault));
  }
  const spec = await repo.readText(feature.spec);
  if (spec) items.push(...parseAcceptanceScenarios("spec.md", spec));
  // The same CHK id in two files: keep both, distinguishable by source.
  return items;
}

/** The change touches tests only (by path or by what the files define): a tests-first task. */
async function testsOnlyChange(diff: BranchDiff, sources: Sources): Promise<boolean> {
  const work = workFiles(diff).filter((f) => f.status !== "deleted");
  if (!work.length) return false;
  for (const f of work) {
    if (classifyPath(f.path) === "test") continue;
    const text = await sources.head(f.path);
    if (!text || !definesTests(f.path, text)) return false;
  }
  return true;
}

/** One of QA's own gates from its findings, with the configured mode applied. */
function qaGate(id: GateId, name: string, findings: Omit<Finding, "source">[], config: QaConfig, note: string, applicable = true): GateResult {
  const mode: GateMode = config.gates[id] ?? "blocking";
  if (mode === "off") return { id, principles: [], name, mode, status: "skipped", note: "off in c_devgodzilla_qa", findings: [] };
  if (!applicable) return { id, principles: [], name, mode, status: "skipped", note, findings: [] };
  const fs: Finding[] = findings.map((f) => ({
    ...f,
    source: "gate",
    severity: f.severity === "info" ? "info" : mode === "warning" || f.severity === "warning" ? "warning" : "blocking",
  }));
  const status = fs.some((f) => f.severity === "blocking") ? "failed" : fs.length ? "warned" : "passed";
  return { id, principles: [], name, mode, status, note, findings: fs };
}

/** The feature's checklists judged by the model over retrieved evidence (or listed as not judged without one). */
async function runChecklist(
  input: QaInDirInput,
  index: RetrievalIndex | null,
  behaviourFiles: (file: string) => boolean,
  notes: string[],
): Promise<{ checklist: ChecklistResult[]; retrieval?: string }> {
  const { config, feature } = input;
  if (config.checklist.embeddings.enabled && !input.embedder)
    notes.push(
      "Embeddings are enabled in c_devgodzilla_qa but the LLM provider has no embeddings endpoint (OpenAI-compatible only): evidence was ranked with BM25 alone.",
    );
  if (!config.checklist.enabled) return { checklist: [] };
  const items = await checklistItems(input.dir, feature, config.checklist.required_by_default);
  if (!items.length) return { checklist: [] };
  if (!input.judge || !index) return { checklist: notJudged(items) };
  const checklist = await validateChecklist({ items, index, behaviourFiles, judge: input.judge, config: config.checklist, embedder: input.embedder });
  const retrieval = `BM25 over ${index.size} chunks (changed files ×${config.checklist.changed_boost}; acceptance scenarios without the spec and the agent's account)${input.embedder ? ` fused with ${config.checklist.embeddings.model} embeddings` : ""}; at most ${config.checklist.token_budget} tokens per item`;
  return { checklist, retrieval };
}

/** The reviewer agent's findings, when the agents resource names one. */
async function engineReview(input: QaInDirInput, redactor: Redactor) {
  const org = input.agents ? parseOrgAgents(input.agents) : null;
  const reviewer = org ? resolveReviewer(org, loadProjectAgents(input.dir, org)) : null;
  if (!reviewer) return null;
  const review = await reviewDiff({
    worktree: input.dir,
    base: input.base,
    head: input.head,
    specPath: input.feature.spec,
    planPath: input.feature.plan,
    taskId: input.taskId,
    reviewer,
    weight: reviewer.weight,
    config: input.agents,
    redactor,
    sandbox: { policy: input.config.checks.allow_unsandboxed ? "allow_unsandboxed" : "refuse" },
  });
  // The reviewer's run is a model call of QA: its tokens count, at the cost the CLI reported, else
  // priced per model (a reviewer with neither is named as unpriced).
  if (review.tokens || review.costUsd !== null)
    input.ledger?.record({
      provider: review.reviewer,
      model: review.model ?? review.reviewer,
      purpose: "review",
      inputTokens: review.tokens?.input ?? 0,
      outputTokens: review.tokens?.output ?? 0,
      durationMs: review.durationMs,
      attempts: 1,
      reportedCostUsd: review.costUsd,
    });
  return review;
}

export async function runQaInDir(input: QaInDirInput): Promise<QaOutcome> {
  const p = async (n: number) => {
    try {
      await input.progress?.(n);
    } catch {
      /* cosmetic */
    }
  };
  const { config, feature } = input;
  const task = input.task ?? null;
  const taskText = task ? `${task.description}\n${task.body ?? ""}` : null;
  const story = input.story ?? task?.story ?? null;
  const diff = await readBranchDiff(input.dir, input.base, input.head);
  const sources = repoSources(input.dir, input.base, input.head);
  const notes: string[] = [];
  const empty = workFiles(diff).length === 0;
  const testsOnly = await testsOnlyChange(diff, sources);
  await p(5);

  // The project's checks; the tests run at head and at the base commit, results read from the runner.
  const ran =
    input.commands && !empty
      ? await runChecksAndTests({
          dir: input.dir,
          commands: input.commands,
          config: config.checks,
          redactor: input.redactor,
          testsOnlyChange: testsOnly,
          base: input.base,
        })
      : { runs: [], head: null, base: null };
  if (empty) notes.push("Nothing changed, so the project's checks were not run.");
  await p(50);
  const evidence = await buildEvidence({ diff, sources, head: ran.head, base: ran.base });

  // QA's own gates: what the change did, whether its tests still stand, what the criteria say.
  const scopeInput = { diff, sources, task, outcome: input.outcome, feature };
  const integrity = checkIntegrity({ diff, evidence, taskText });
  const { criteria, from: criteriaFrom } = await loadCriteria(sources, feature);
  const judgedCriteria = judgeCriteria({
    criteria,
    evidence,
    headText: (f) => evidence.texts.get(f),
    required: requiredCriteria(criteria, taskText),
    testsOnly,
  });
  const gates: GateResult[] = [
    qaGate("empty-work", "Work was done", await checkEmptyWork(scopeInput), config, task ? `task ${task.id}` : "the run"),
    qaGate(
      "scope",
      "Within the task's files",
      await checkScope(scopeInput),
      config,
      task?.files.length ? `declared: ${task.files.slice(0, 5).join(", ")}` : "the task declares no files",
      !!task?.files.length,
    ),
    qaGate(
      "test-integrity",
      "Tests kept whole",
      integrity.findings,
      config,
      evidence.base
        ? `compared with the ${evidence.baseCounts?.executed ?? 0} tests that ran at the base commit${integrity.allowedByTask ? "; the task asks for removing or skipping tests" : ""}`
        : "compared by source only (no test results at the base commit)",
    ),
    qaGate(
      "criteria",
      "Criteria proven",
      judgedCriteria.findings,
      config,
      `${judgedCriteria.results.filter((c) => c.required).length} required of ${criteria.length}`,
      criteria.length > 0,
    ),
  ];
  await p(60);

  // Evidence for the model: the repository and the change, without the checklists and previous
  // reports; behaviour is judged without the spec and the agent's account, which restate the goal.
  const index: RetrievalIndex | null = input.judge
    ? await evidenceIndex({
        dir: input.dir,
        changedFiles: diff.files.filter((f) => f.status !== "deleted").map((f) => f.path),
        chunkLines: config.checklist.chunk_lines,
        stepOutputs: input.stepOutputs,
        exclude: [`${feature.checklists}/`, `${feature.runtime}/`],
      })
    : null;
  const behaviourFiles = (file: string) => !file.startsWith(`${feature.dir}/`) && !file.startsWith("_step/");

  // Every principle of the project's own constitution.
  const found = await findConstitution((rel) => sources.head(rel));
  const constitutionFrom = found?.path ?? "DevGodzilla's default constitution (the project has none)";
  const planned = planPrinciples(found?.text ?? renderDefaultConstitution(), config.principles);
  const principles = await judgePrinciples({
    principles: planned,
    ctx: { dir: input.dir, diff, evidence, story },
    checks: ran.runs,
    gateConfig: config.gates,
    judge: input.judge && index ? principleJudge(input.judge, index, behaviourFiles, config.checklist, input.embedder) : null,
  });
  await p(75);

  const { checklist, retrieval } = await runChecklist(input, index, behaviourFiles, notes);
  await p(90);

  const redactor = input.redactor ?? new Redactor();
  let verdict: Verdict = computeVerdict(
    {
      gates: [...gates, ...principles.gates],
      checklist,
      checks: ran.runs,
      criteria: judgedCriteria.results,
      principles: principles.rows,
      principleFindings: principles.findings,
    },
    config,
  );
  // Engine-based review: a configured agent reads the diff against spec and plan in a read-only
  // sandbox; its findings join the verdict with their own weight.
  const review = empty ? null : await engineReview(input, redactor);
  if (review) verdict = joinReviewIntoVerdict(verdict, review);
  const reviewReport = review ? `\n\n${reviewMarkdown(review)}` : "";
  verdict = redactor.redactDeep(verdict);
  const markdown = redactor.redact(
    renderReport(verdict, {
      feature: feature.feature,
      branch: input.branch,
      commit: input.head,
      base: input.base,
      retrieval,
      notes,
      criteriaFrom,
      constitutionFrom,
    }) + reviewReport,
  );
  return { verdict, markdown };
}

// ---------------------------------------------------------------- the qa script

export const QaScriptInput = z.object({
  repo: z.string().trim().min(1, "is required"),
  branch: z.string().trim().min(1, "is required"),
  commit: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
  base_commit: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
  feature: z.string().trim().default(""),
  artifacts: z.record(z.string(), z.unknown()).default({}),
  profile: z.unknown().optional(),
  story: z.string().trim().default(""),
  /** Task id: the report goes to _runtime/<task>/ so parallel tasks never collide when merged. */
  task_id: z
    .string()
    .trim()
    .regex(/^$|^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be a task id like T012")
    .default(""),
  /** The task (as task_dag gives it): its description names the criteria it implements, its files the scope. */
  task: z
    .union([
      z.object({}).strict(),
      z
        .object({
          id: z.string().trim().min(1, "is required"),
          description: z.string().default(""),
          files: z.array(z.string()).default([]),
          story: z.string().nullable().default(null),
          body: z.string().default(""),
        })
        .passthrough(),
    ])
    .optional(),
  /** execute_task's outcome: "no_change" fails QA whatever the branch holds. */
  outcome: z.enum(["", "changed", "no_change", "blocked", "ide_handoff"]).default(""),
  write_report: z.boolean().default(true),
});

export interface QaScriptParams extends LlmResources {
  repo: string;
  branch: string;
  commit: string;
  base_commit: string;
  feature?: string;
  artifacts?: Record<string, unknown>;
  profile?: unknown;
  story?: string;
  task_id?: string;
  /** The task object from task_dag ({ id, description, files, story, body }). */
  task?: unknown;
  /** execute_task's `outcome`. */
  outcome?: string;
  qa_config?: unknown;
  /** c_devgodzilla_agents: its `review` names the agent that reviews the diff. */
  agents?: unknown;
  write_report?: boolean;
  /** As execute_task's: "allow_unsandboxed" lets the project checks run without bwrap when it is unavailable. */
  sandbox_policy?: "refuse" | "allow_unsandboxed";
  git_token?: string;
  /** Test hook: a judge instead of an LLM built from the resources. */
  judge?: Judge;
  progress?: (pct: number) => void | Promise<void>;
}

export interface QaScriptResult {
  /** Makes Windmill render `markdown` while the other keys stay available to later steps. */
  wm_renderer: "markdown";
  markdown: string;
  passed: boolean;
  verdict: Verdict;
  /** Every principle of the project's constitution, in the file's order (also in verdict.principles). */
  principles: Verdict["principles"];
  branch: string;
  /** The branch head after the report commit (what the next step checks out). */
  commit: string;
  /** The commit that was judged. */
  analyzed_commit: string;
  base_commit: string;
  report_path: string | null;
  prompt_version: string;
  /** QA's model calls: the judge's, the embeddings requests' and the reviewer agent's run (empty without any): a flow adds them to the run's cost. */
  usage: UsageTotals;
  /** This job's id: a flow summing usage counts these calls once. */
  usage_id: string;
}

function inputError(e: z.ZodError): InputError {
  const i = e.issues[0];
  return new InputError(String(i.path[0] ?? "input"), i.message);
}

/** Step output that the retriever may cite: strings (and string fields) of the artifacts. */
function stepOutputsOf(artifacts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(artifacts)) {
    // The diff and the file list are the change itself, already chunked from the checkout.
    if (k === "diff" || k === "files" || k === "base") continue;
    if (typeof v === "string" && v.trim()) out[k] = v;
    else if (v && typeof v === "object") {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) if (typeof v2 === "string" && v2.length > 40) out[`${k}.${k2}`] = v2;
    }
  }
  return out;
}

// Windmill renders a result as markdown (wm_renderer) only below ~100 kB (DisplayResult's
// DISPLAY_MAX_SIZE, counted at ~2 bytes a character); past that it shows raw JSON. The job result
// therefore carries a bounded verdict and report; the full report is the file on the branch.
export const RESULT_MARKDOWN_CHARS = 18_000;

export function capMarkdown(md: string, reportPath: string | null): string {
  if (md.length <= RESULT_MARKDOWN_CHARS) return md;
  const cut = md.lastIndexOf("\n", RESULT_MARKDOWN_CHARS);
  return `${md.slice(0, cut > 0 ? cut : RESULT_MARKDOWN_CHARS)}\n\n_… report truncated here; the full report is ${reportPath ? `\`${reportPath}\` on the branch` : "in the step logs"}._\n`;
}

export function compactVerdict(v: Verdict): Verdict {
  const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n)}…` : t);
  const findings = <T extends { message: string; fix?: string }>(fs: T[], n: number) =>
    fs.slice(0, n).map((f) => ({ ...f, message: cut(f.message, 200), ...(f.fix ? { fix: cut(f.fix, 160) } : {}) }));
  return {
    ...v,
    blocking: findings(v.blocking, 15),
    gates: v.gates.map((g) => ({
      ...g,
      findings: findings(g.findings, 6).map((f) => ({
        ...f,
        ...(f.lines ? { lines: f.lines.slice(0, 4).map((l) => ({ ...l, text: cut(l.text, 120) })) } : {}),
      })),
    })),
    criteria: v.criteria.slice(0, 20).map((c) => ({
      ...c,
      text: cut(c.text, 80),
      reason: cut(c.reason, 120),
      evidence: c.evidence.slice(0, 1).map((e) => ({ ...e, test: cut(e.test, 80) })),
    })),
    principles: v.principles.map((p) => ({ ...p, evidence: cut(p.evidence, 240) })),
    checklist: v.checklist.slice(0, 20).map((c) => ({ ...c, text: cut(c.text, 80), explanation: cut(c.explanation, 100), evidence: c.evidence.slice(0, 2) })),
    checks: v.checks.map((c) => ({ ...c, findings: findings(c.findings, 6), outputTail: c.outputTail.slice(-800) })),
  };
}

function featureOf(feature: string, branch: string): FeaturePaths {
  const name = feature || (isRunBranch(branch) ? branch.slice(branch.indexOf("/") + 1) : "");
  if (!name)
    throw new InputError(
      "feature",
      "is required when the branch is not a run branch (devgodzilla/NNN-name)",
      "pass the spec directory name, e.g. 003-user-auth",
    );
  return featurePaths(validateFeatureName(name, "feature"), "feature");
}

export async function runQaScript(params: QaScriptParams): Promise<QaScriptResult> {
  // Everything is validated before anything is checked out or written.
  const parsed = QaScriptInput.safeParse(params);
  if (!parsed.success) throw inputError(parsed.error);
  const a = parsed.data;
  const feature = featureOf(a.feature, a.branch);
  const task =
    a.task && "id" in a.task ? { id: a.task.id, description: a.task.description, files: a.task.files, story: a.task.story, body: a.task.body } : null;
  const config = parseQaConfig(params.qa_config ?? {});
  if (params.sandbox_policy !== undefined && params.sandbox_policy !== "refuse" && params.sandbox_policy !== "allow_unsandboxed") {
    throw new InputError("sandbox_policy", `must be refuse or allow_unsandboxed, got ${JSON.stringify(params.sandbox_policy)}`);
  }
  if (params.sandbox_policy === "allow_unsandboxed") config.checks.allow_unsandboxed = true;
  let commands: ProjectProfile["commands"] | null = null;
  if (params.profile !== undefined && params.profile !== null && !(typeof params.profile === "object" && Object.keys(params.profile as object).length === 0)) {
    const pr = ProjectProfileSchema.safeParse(params.profile);
    if (!pr.success)
      throw new InputError(
        "profile",
        `not a ProjectProfile (${pr.error.issues[0].path.join(".")}: ${pr.error.issues[0].message})`,
        "pass the onboard step's profile",
      );
    commands = pr.data.commands;
  }
  const redactor = new Redactor();
  for (const r of [params.llm, params.openai, params.anthropic, params.agents]) redactor.addFrom(r);
  if (params.git_token) redactor.add(params.git_token);
  let judge: Judge | null = params.judge ?? null;
  let llm: Llm | null = null;
  let embedder: Embedder | undefined;
  // Every model call QA makes (judge, embeddings, reviewer) is recorded here: the result's `usage`.
  const ledger = new TracingLedger();
  const hasLlm = [params.llm, params.openai, params.anthropic].some((r) => r && typeof r === "object" && Object.keys(r as object).length);
  if (!judge && hasLlm) {
    const cfg = providerFromResources(params);
    llm = createLlm({ ...cfg, redactor, ledger });
    judge = llmJudge(llm);
    if (config.checklist.embeddings.enabled && cfg.provider === "openai") {
      embedder = createEmbedder({ apiKey: cfg.apiKey, baseUrl: cfg.baseUrl, model: config.checklist.embeddings.model, ledger });
    }
  }

  const wc: WorkingCopy = await checkout({ repo: a.repo, commit: a.commit, token: params.git_token });
  try {
    // The base must be reachable from the mirror-backed copy (it is an ancestor in normal runs).
    if (!(await wc.git.test(["rev-parse", "--verify", "--quiet", "--end-of-options", `${a.base_commit}^{commit}`]))) {
      throw new InputError("base_commit", `${a.base_commit} is not in ${wc.repo.url}`);
    }
    const { verdict, markdown } = await runQaInDir({
      dir: wc.dir,
      base: a.base_commit,
      head: wc.commit,
      branch: a.branch,
      feature,
      commands,
      config,
      story: a.story || task?.story || null,
      task,
      outcome: a.outcome || null,
      judge,
      embedder,
      stepOutputs: stepOutputsOf(a.artifacts),
      redactor,
      progress: params.progress,
      agents: params.agents,
      taskId: a.task_id || task?.id || undefined,
      ledger,
    });
    let commit = wc.commit;
    let reportPath: string | null = null;
    if (a.write_report) {
      const taskId = a.task_id || task?.id;
      reportPath = taskId && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(taskId) ? `${feature.runtime}/${taskId}/qa-report.md` : `${feature.runtime}/qa-report.md`;
      // Through the gateway: a committed link on the report's path is refused, not written through.
      repoFiles(wc.dir).writeText(reportPath, markdown);
      // Only the report: the checks may have left build output in the copy. -f because _runtime/
      // is git-ignored in target repos (it is run output, kept on the run branch for the record).
      await wc.git.run(["add", "-f", "--", reportPath]);
      // Nothing to commit (an identical report from a re-run) is fine.
      if (!(await wc.git.test(["diff", "--cached", "--quiet", "--", reportPath]))) {
        await wc.git.run(commitArgs(`qa: ${feature.feature} ${verdict.status} (score ${verdict.score.toFixed(2)})`, [reportPath]));
      }
      commit = (await wc.git.run(["rev-parse", "HEAD"])).trim();
      if (commit !== wc.commit) {
        try {
          await pushBranch(wc.dir, a.branch, "origin", { token: params.git_token });
        } catch (e) {
          // A retried qa step makes a sibling report commit; DevGodzilla's own branches (run and
          // task branches) are defined by the step results, so replace it (with a lease).
          if (!(e instanceof PushRejectedError) || !isDevGodzillaBranch(a.branch)) throw e;
          await pushBranch(wc.dir, a.branch, "origin", { token: params.git_token, force: true });
        }
      }
    }
    return {
      wm_renderer: "markdown",
      markdown: capMarkdown(markdown, reportPath),
      passed: verdict.status === "passed",
      verdict: compactVerdict(verdict),
      principles: verdict.principles,
      branch: a.branch,
      commit,
      analyzed_commit: wc.commit,
      base_commit: a.base_commit,
      report_path: reportPath,
      prompt_version: QA_PROMPTS_VERSION,
      usage: ledger.totals(),
      usage_id: usageId(),
    };
  } catch (e) {
    if (e instanceof Error) e.message = redactor.redact(e.message);
    // What QA spent before it failed stays in the job's error (a retried or failed QA step still counts).
    throw withUsage(e, ledger.totals());
  } finally {
    await wc.cleanup();
  }
}

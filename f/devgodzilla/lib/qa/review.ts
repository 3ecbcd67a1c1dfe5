// Engine-based review: a configured CLI agent reads a task's diff against its spec and plan and
// answers with findings — in a READ-ONLY sandbox (the bwrap sandbox's execute phase, with the
// worktree re-bound read-only through its `readOnly` option; only the agent's temp HOME is
// writable, the network only reaches the agent's model endpoints). Findings come back in QA's
// Finding format and join the QA verdict with their own weight (joinReviewIntoVerdict).

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { DevGodzillaError, InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { gitAt } from "../git.ts";
import { runAgent } from "../agents/index.ts";
import { parseAgentsConfig, type AgentsConfig } from "../agents/config.ts";
import { AGENTS, type AgentId } from "../agents/registry.ts";
import type { AgentCommand, WrappedAgentCommand } from "../agents/types.ts";
import { wrapInSandbox, type SandboxPolicy } from "../sandbox/index.ts";
import type { Finding, Verdict } from "./types.ts";
import { configWithModel, DEFAULT_REVIEW_WEIGHT } from "../agentops/assignments.ts";
import { traceAgent } from "../telemetry/spans.ts";

export interface ReviewRequest {
  /** The task's worktree, at the task's commit. Mounted read-only for the reviewer. */
  worktree: string;
  /** The commit the task started from; the diff is base..head. */
  base: string;
  head?: string;
  /** Repo-relative spec and plan (specs/NNN-x/spec.md, plan.md). */
  specPath: string;
  planPath?: string;
  taskId?: string;
  taskDescription?: string;
  reviewer: { agent: AgentId; model?: string | null };
  /** lib/agents' parsed config or the raw c_devgodzilla_agents resource. */
  config?: AgentsConfig | unknown;
  /** 0..1 share of the QA score the review gets. Default 0.2. */
  weight?: number;
  sandbox?: { policy?: SandboxPolicy; allowHosts?: string[]; bwrapPath?: string };
  redactor?: Redactor;
  /** Cap on the diff handed to the reviewer. Default 200 kB. */
  maxDiffBytes?: number;
}

export interface ReviewResult {
  reviewer: AgentId;
  model: string | null;
  /** QA findings (source "check", code REVIEW…). */
  findings: Finding[];
  /** 0..1: 1 without findings, 0 with a blocking one, else 1 − 0.1 per warning (≥ 0.5). null when the review failed. */
  score: number | null;
  weight: number;
  summary: string;
  /** The reviewer's final message (redacted, capped). */
  message: string;
  sandboxed: boolean;
  sandboxWarning?: string;
  durationMs: number;
  tokens: { input: number; output: number } | null;
  costUsd: number | null;
  /** Why the review produced no usable findings (the verdict is then left unchanged). */
  error: string | null;
}

export const REVIEW_MARKER = "FINDINGS_JSON";

const ReviewFindingSchema = z.object({
  severity: z.enum(["blocking", "warning", "info"]).catch("warning"),
  message: z.string().min(1).max(2000),
  file: z.string().max(500).optional().nullable(),
  line: z.number().int().positive().optional().nullable(),
  fix: z.string().max(2000).optional().nullable(),
  code: z.string().max(40).optional().nullable(),
});
const ReviewOutputSchema = z.object({ findings: z.array(ReviewFindingSchema).max(100), summary: z.string().max(4000).optional() });

export function reviewPrompt(p: { diffFile: string; specPath: string; planPath?: string; taskId?: string; taskDescription?: string }): string {
  return [
    `You are reviewing the change made for ${p.taskId ? `task ${p.taskId}` : "a task"}${p.taskDescription ? `: ${p.taskDescription}` : ""}.`,
    `The diff is in ${p.diffFile}. The specification is ${p.specPath}${p.planPath ? ` and the plan is ${p.planPath}` : ""} (paths relative to this repository).`,
    "Check the change against the spec's requirements and acceptance scenarios and the plan: missing or wrong behaviour, edge cases, security, tests.",
    "This is a READ-ONLY review: do not modify, create or delete any file, and do not run commands that change the repository.",
    `Answer with a line \`${REVIEW_MARKER}\` followed by one fenced json block: {"findings": [{"severity": "blocking" | "warning" | "info", "message": "…", "file": "path", "line": 1, "fix": "…"}], "summary": "…"}.`,
    "Use blocking only for a requirement that is not met or a defect that must be fixed before merging. An empty findings list means the change is fine.",
  ].join("\n");
}

/** Finds the findings JSON in the agent's final message (after the marker, fenced or bare). */
export function parseReviewOutput(text: string): z.infer<typeof ReviewOutputSchema> {
  const at = text.lastIndexOf(REVIEW_MARKER);
  const tail = at >= 0 ? text.slice(at + REVIEW_MARKER.length) : text;
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(tail);
  const candidates = [fenced?.[1], tail.slice(tail.indexOf("{"), tail.lastIndexOf("}") + 1)].filter((c): c is string => !!c && c.trim().startsWith("{"));
  let lastErr = "no JSON object found";
  for (const c of candidates) {
    try {
      const parsed = ReviewOutputSchema.safeParse(JSON.parse(c));
      if (parsed.success) return parsed.data;
      lastErr = parsed.error.issues[0]!.message;
    } catch (e) {
      lastErr = (e as Error).message;
    }
  }
  throw new ReviewOutputError(lastErr);
}

/** The reviewer answered, but not with the findings JSON the review prompt asks for. */
export class ReviewOutputError extends DevGodzillaError {
  constructor(problem: string) {
    super(`the reviewer's answer has no valid findings JSON (${problem})`, {
      hint: `the reviewer must end its answer with ${REVIEW_MARKER} and the findings JSON; re-run the review or pick a reviewer that follows instructions`,
    });
  }
}

export function scoreFindings(findings: Finding[]): number {
  if (findings.some((f) => f.severity === "blocking")) return 0;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  return warnings ? Math.max(0.5, Math.round((1 - 0.1 * warnings) * 1000) / 1000) : 1;
}

/** Runs the reviewer on the task's diff in a read-only sandbox and returns its findings. */
export async function reviewDiff(req: ReviewRequest): Promise<ReviewResult> {
  const started = Date.now();
  const spec = AGENTS[req.reviewer.agent];
  if (!spec || spec.kind !== "cli") throw new InputError("reviewer.agent", `${req.reviewer.agent} is not a CLI agent; the review needs a headless CLI agent`);
  const weight = req.weight ?? DEFAULT_REVIEW_WEIGHT;
  if (!(weight >= 0 && weight <= 1)) throw new InputError("weight", "must be between 0 and 1");
  const parsedConfig =
    req.config && typeof req.config === "object" && "defaultAgent" in req.config ? (req.config as AgentsConfig) : parseAgentsConfig(req.config);
  const config = configWithModel(parsedConfig, req.reviewer.agent, req.reviewer.model ?? null);
  const redactor = req.redactor ?? new Redactor();
  const head = req.head ?? "HEAD";
  const diff = await gitAt(req.worktree).run(["diff", "--no-color", "--no-ext-diff", `${req.base}..${head}`], {
    hint: "base and head must be commits of the task's worktree",
  });
  const max = req.maxDiffBytes ?? 200_000;
  const out: ReviewResult = {
    reviewer: req.reviewer.agent,
    model: req.reviewer.model ?? null,
    findings: [],
    score: null,
    weight,
    summary: "",
    message: "",
    sandboxed: false,
    durationMs: 0,
    tokens: null,
    costUsd: null,
    error: null,
  };
  // HOME and the diff live in a temp dir OUTSIDE the worktree: the only writable place in the sandbox.
  const tmp = await mkdtemp(path.join(tmpdir(), "dgz-review-"));
  try {
    const diffFile = path.join(tmp, "task.diff");
    await writeFile(diffFile, redactor.redact(Buffer.byteLength(diff) > max ? `${diff.slice(0, max)}\n… (diff cut at ${max} bytes)\n` : diff));
    const home = path.join(tmp, "home");
    const prompt = reviewPrompt({ diffFile, specPath: req.specPath, planPath: req.planPath, taskId: req.taskId, taskDescription: req.taskDescription });
    // The agent adapter runs the wrapped command and calls its dispose() once the process has ended.
    const wrap = async (cmd: AgentCommand): Promise<WrappedAgentCommand> => {
      const wrapped = await wrapInSandbox(
        { file: cmd.file, args: cmd.args, env: cmd.env, cwd: cmd.cwd },
        {
          phase: "execute",
          worktree: req.worktree,
          tmpDir: tmp,
          readOnly: [req.worktree],
          allowHosts: req.sandbox?.allowHosts ?? [],
          policy: req.sandbox?.policy ?? "refuse",
          bwrapPath: req.sandbox?.bwrapPath,
        },
      );
      out.sandboxed = wrapped.sandboxed;
      if (wrapped.warning) out.sandboxWarning = wrapped.warning;
      return wrapped;
    };
    const res = await traceAgent(req.reviewer.agent, config.agents[req.reviewer.agent]?.model ?? null, (traceEnv) =>
      runAgent({
        agentId: req.reviewer.agent,
        prompt,
        cwd: req.worktree,
        config,
        fallback: false,
        log: false,
        redactor,
        wrap,
        title: `review ${req.taskId ?? ""}`.trim(),
        env: { HOME: home, ...(traceEnv ?? {}) },
      }),
    );
    Object.assign(out, { tokens: res.tokens, costUsd: res.costUsd, model: res.model, message: redactor.redact(res.finalMessage).slice(0, 4000) });
    try {
      const parsed = parseReviewOutput(res.finalMessage);
      out.findings = parsed.findings.map((f, i) => ({
        code: f.code ? `REVIEW-${f.code}` : `REVIEW${String(i + 1).padStart(3, "0")}`,
        source: "check" as const,
        severity: f.severity,
        message: redactor.redact(`${spec.name} review: ${f.message}`),
        ...(f.file ? { file: f.file } : {}),
        ...(f.line ? { line: f.line } : {}),
        ...(f.fix ? { fix: redactor.redact(f.fix) } : {}),
      }));
      out.summary = redactor.redact(parsed.summary ?? "");
      out.score = scoreFindings(out.findings);
    } catch (e) {
      out.error = redactor.redact((e as Error).message);
    }
  } catch (e) {
    out.error = redactor.redact(e instanceof Error ? e.message : String(e));
  } finally {
    await rm(tmp, { recursive: true, force: true });
    out.durationMs = Date.now() - started;
  }
  return out;
}

/**
 * Joins a review into the QA verdict: its blocking findings block, its warnings count, and the score
 * becomes (1 − weight) · qa score + weight · review score. A failed review (score null) leaves the
 * verdict's status and score unchanged and is only noted.
 */
export function joinReviewIntoVerdict(verdict: Verdict, review: ReviewResult | null | undefined): Verdict & { review?: ReviewResult } {
  if (!review) return verdict;
  if (review.score === null) return { ...verdict, review };
  const w = review.weight;
  const score = Math.round((verdict.score * (1 - w) + review.score * w) * 1000) / 1000;
  const blocking = [...verdict.blocking, ...review.findings.filter((f) => f.severity === "blocking")];
  const warnings = verdict.warnings + review.findings.filter((f) => f.severity === "warning").length;
  const status: Verdict["status"] = blocking.length || score < verdict.threshold ? "failed" : "passed";
  let recommendation = verdict.recommendation;
  if (status !== verdict.status || blocking.length !== verdict.blocking.length) {
    const first = blocking[0];
    recommendation = first
      ? `Do not merge: ${blocking.length} blocking issue${blocking.length === 1 ? "" : "s"}. First: ${first.code}${first.file ? ` at ${first.file}${first.line ? `:${first.line}` : ""}` : ""} — ${first.message}.${first.fix ? ` Fix: ${first.fix}` : ""}`
      : `Below the passing score (${score} < ${verdict.threshold}) after the ${review.reviewer} review.`;
  }
  return { ...verdict, status, score, blocking, warnings, recommendation, review };
}

/** A section for the QA markdown report. */
export function reviewMarkdown(r: ReviewResult): string {
  const head = `## Engine review (${r.reviewer}${r.model ? `, ${r.model}` : ""}; weight ${r.weight})`;
  if (r.score === null) return `${head}\n\n_The review did not produce findings: ${r.error ?? "unknown error"}. The verdict does not include it._\n`;
  const lines = [
    head,
    "",
    `Score **${r.score.toFixed(2)}** · ${r.sandboxed ? "read-only sandbox" : `NOT sandboxed${r.sandboxWarning ? ` (${r.sandboxWarning})` : ""}`}${r.summary ? ` · ${r.summary}` : ""}`,
    "",
  ];
  if (!r.findings.length) lines.push("_No findings._");
  for (const f of r.findings)
    lines.push(
      `- ${f.severity === "blocking" ? "❌" : f.severity === "warning" ? "⚠️" : "ℹ️"} **${f.code}**${f.file ? ` \`${f.file}${f.line ? `:${f.line}` : ""}\`` : ""} — ${f.message}${f.fix ? `\n  - Fix: ${f.fix}` : ""}`,
    );
  return lines.join("\n") + "\n";
}

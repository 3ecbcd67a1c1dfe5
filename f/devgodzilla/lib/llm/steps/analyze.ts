// analyze: READ-ONLY cross-artifact consistency report over spec.md, plan.md and tasks.md.
// Mechanical checks (missing artifacts, open markers, placeholders, vague adjectives, duplicate
// requirements, unjustified violations, coverage, dangling dependencies) are done in code; the
// model adds judgement findings and the requirement→task coverage map. Nothing is written.

import { AnalysisDraft, FINDING_CATEGORIES, SEVERITIES } from "../artifacts/schemas.ts";
import { renderAnalysis, type CoverageRow, type Finding } from "../artifacts/render.ts";
import { missingRequirements, parsePlan, parseSpec } from "../artifacts/parse.ts";
import { parseTaskLine } from "../../speckit/tasks.ts";
import { featureFrom, progress, runStep, stepRef, type StepOutput } from "../artifacts/step.ts";
import { ANALYZE_PROMPT_VERSION, ANALYZE_SYSTEM, analyzePrompt } from "../../../prompts/analyze.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";

export interface AnalyzeParams extends CommonParams {
  feature?: string;
}

export interface AnalysisReport {
  findings: Finding[];
  coverage: CoverageRow[];
  metrics: {
    total_requirements: number;
    total_tasks: number;
    /** Share of requirements with a task; null when the spec has no requirement ids (never "100 % of 0"). */
    coverage_pct: number | null;
    ambiguity_count: number;
    duplication_count: number;
    critical_issues: number;
  };
  next_actions: string[];
}

export interface AnalyzeResult extends StepOutput {
  feature: string;
  feature_dir: string;
  report: AnalysisReport;
  severity_counts: Record<(typeof SEVERITIES)[number], number>;
  markdown: string;
  prompt_version: string;
}

export const MAX_FINDINGS = 50;
const LETTER: Record<(typeof FINDING_CATEGORIES)[number], string> = {
  Duplication: "A",
  Ambiguity: "B",
  Underspecification: "C",
  "Constitution Alignment": "D",
  "Coverage Gap": "E",
  Inconsistency: "F",
};
const VAGUE = /\b(fast|quick(ly)?|scalable|secure|intuitive|robust|user[- ]friendly|efficient|seamless|reliable|performant|easy)\b/i;
const PLACEHOLDER = /\b(TODO|TKTK)\b|\?\?\?|<placeholder>/;

type Draft = Omit<Finding, "id">;

export function mechanicalFindings(docs: { spec: string; plan?: string; tasks?: string }): Draft[] {
  const out: Draft[] = [];
  const spec = parseSpec(docs.spec);
  if (!spec.requirements.length && !spec.successCriteria.length) {
    out.push({
      category: "Underspecification",
      severity: "CRITICAL",
      locations: ["spec.md:Requirements"],
      summary: missingRequirements(docs.spec, "spec.md")
        .message.replace(/^feature: /, "")
        .replace(/ — .*$/, ""),
      recommendation: "Write requirements as `- **FR-001**: System MUST …` under `## Requirements`; coverage cannot be measured without them.",
    });
  }
  if (!docs.plan)
    out.push({
      category: "Underspecification",
      severity: "CRITICAL",
      locations: ["plan.md"],
      summary: "plan.md is missing",
      recommendation: "Run plan before tasks and implementation.",
    });
  if (!docs.tasks)
    out.push({ category: "Coverage Gap", severity: "CRITICAL", locations: ["tasks.md"], summary: "tasks.md is missing", recommendation: "Run tasks." });
  for (const m of spec.markers)
    out.push({
      category: "Ambiguity",
      severity: "HIGH",
      locations: ["spec.md"],
      summary: `Unresolved clarification: ${m}`,
      recommendation: "Answer it with clarify.",
    });
  for (const [name, text] of [
    ["spec.md", docs.spec],
    ["plan.md", docs.plan ?? ""],
    ["tasks.md", docs.tasks ?? ""],
  ] as const) {
    const hits = text.split("\n").filter((l) => PLACEHOLDER.test(l));
    if (hits.length)
      out.push({
        category: "Ambiguity",
        severity: "MEDIUM",
        locations: [name],
        summary: `${hits.length} unresolved placeholder(s) (TODO/TKTK/???), e.g. "${hits[0]!.trim().slice(0, 80)}"`,
        recommendation: "Replace placeholders with decisions.",
      });
  }
  for (const r of [...spec.requirements, ...spec.successCriteria]) {
    const m = r.text.match(VAGUE);
    if (m && !/\d/.test(r.text))
      out.push({
        category: "Ambiguity",
        severity: /secure|fast|performant|scalable/i.test(m[0]) ? "HIGH" : "MEDIUM",
        locations: [`spec.md:${r.id}`],
        summary: `"${m[0]}" has no measurable criterion`,
        recommendation: `Quantify "${m[0]}" in ${r.id}.`,
      });
  }
  const seen = new Map<string, string>();
  for (const r of spec.requirements) {
    const norm = r.text
      .toLowerCase()
      .replace(/[^a-z0-9 ]/g, "")
      .replace(/\s+/g, " ")
      .trim();
    const prev = seen.get(norm);
    if (prev)
      out.push({
        category: "Duplication",
        severity: "HIGH",
        locations: [`spec.md:${prev}`, `spec.md:${r.id}`],
        summary: `${r.id} duplicates ${prev}`,
        recommendation: `Merge ${r.id} into ${prev}.`,
      });
    else seen.set(norm, r.id);
  }
  if (docs.plan) {
    const plan = parsePlan(docs.plan);
    const violations = plan.gates.filter((g) => g.status === "VIOLATION");
    if (violations.length && !plan.hasComplexityTracking)
      out.push({
        category: "Constitution Alignment",
        severity: "CRITICAL",
        locations: ["plan.md:Constitution Check"],
        summary: `Violation(s) without Complexity Tracking: ${violations.map((v) => v.principle).join(", ")}`,
        recommendation: "Justify each violation or change the design.",
      });
  }
  if (docs.tasks) {
    const ids = new Set([...docs.tasks.matchAll(/^\s*- \[[ xX]\] (T\d{3,})\b/gm)].map((m) => m[1]!));
    for (const m of docs.tasks.matchAll(/^\s*- \[[ xX]\] (T\d{3,})\b.*\(depends on ([^)]*)\)/gm)) {
      for (const d of m[2]!.match(/T\d{3,}/g) ?? [])
        if (!ids.has(d))
          out.push({
            category: "Inconsistency",
            severity: "HIGH",
            locations: [`tasks.md:${m[1]}`],
            summary: `${m[1]} depends on ${d}, which does not exist`,
            recommendation: "Fix the dependency.",
          });
    }
  }
  return out;
}

/** Task lines of tasks.md in any id scheme the parser reads (T001, T014pre, T-FE-001…). */
function taskLines(tasks: string | undefined): { id: string; text: string }[] {
  return (tasks ?? "").split("\n").flatMap((l) => {
    const t = parseTaskLine(l);
    return t ? [{ id: t.id, text: l }] : [];
  });
}

export function coverageRows(spec: string, tasks: string | undefined, modelCoverage: { requirement: string; taskIds: string[] }[]): CoverageRow[] {
  const parsed = parseSpec(spec);
  const lines = taskLines(tasks);
  const taskIds = new Set(lines.map((t) => t.id));
  return [...parsed.requirements, ...parsed.successCriteria].map((r) => {
    const fromModel = modelCoverage.find((c) => c.requirement.trim() === r.id)?.taskIds ?? [];
    const mention = new RegExp(`(?<![\\w-])${r.id}(?![\\w-])`);
    const mentioned = lines.filter((t) => mention.test(t.text)).map((t) => t.id);
    const ids = [...new Set([...fromModel, ...mentioned])].filter((t) => taskIds.has(t)).sort();
    return { requirement: r.id, hasTask: ids.length > 0, taskIds: ids };
  });
}

const SEV_ORDER = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<string, number>;

export function buildReport(mech: Draft[], model: AnalysisDraft, coverage: CoverageRow[], totalTasks: number): AnalysisReport {
  const gaps: Draft[] = coverage
    .filter((c) => !c.hasTask)
    .map((c) => ({
      category: "Coverage Gap",
      severity: c.requirement.startsWith("FR") ? "HIGH" : "MEDIUM",
      locations: [`spec.md:${c.requirement}`],
      summary: `${c.requirement} has no task`,
      recommendation: `Add a task implementing or verifying ${c.requirement}.`,
    }));
  const all: Draft[] = [];
  const key = (f: Draft) => `${f.category}|${f.summary.toLowerCase().replace(/\W+/g, " ").trim()}`;
  const seen = new Set<string>();
  for (const f of [...mech, ...gaps, ...model.findings.map((f) => ({ ...f, recommendation: f.recommendation ?? "" }))]) {
    if (seen.has(key(f))) continue;
    seen.add(key(f));
    all.push(f);
  }
  all.sort((a, b) => SEV_ORDER[a.severity]! - SEV_ORDER[b.severity]!);
  const counters: Record<string, number> = {};
  const findings: Finding[] = all.slice(0, MAX_FINDINGS).map((f) => {
    const l = LETTER[f.category];
    counters[l] = (counters[l] ?? 0) + 1;
    return { id: `${l}${counters[l]}`, ...f };
  });
  const covered = coverage.filter((c) => c.hasTask).length;
  return {
    findings,
    coverage,
    metrics: {
      total_requirements: coverage.length,
      total_tasks: totalTasks,
      coverage_pct: coverage.length ? Math.round((covered / coverage.length) * 100) : null,
      ambiguity_count: findings.filter((f) => f.category === "Ambiguity").length,
      duplication_count: findings.filter((f) => f.category === "Duplication").length,
      critical_issues: findings.filter((f) => f.severity === "CRITICAL").length,
    },
    next_actions: model.nextActions.length
      ? model.nextActions
      : findings.some((f) => f.severity === "CRITICAL")
        ? ["Resolve the CRITICAL issues before implementation."]
        : ["Proceed to implementation; consider the lower-severity improvements."],
  };
}

export async function runAnalyze(p: AnalyzeParams): Promise<AnalyzeResult> {
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    const spec = await requireArtifact(ws, paths.spec, "specify");
    const plan = await ws.read(paths.plan);
    const tasks = await ws.read(paths.tasks);
    const ctx = await promptContext(ws, parseSpec(spec).title, 0);
    await progress(10);
    const model = await llm.structured({
      system: ANALYZE_SYSTEM,
      prompt: analyzePrompt({ spec, plan: plan ?? "(missing)", tasks: tasks ?? "(missing)" }, ctx),
      schema: AnalysisDraft,
      schemaName: "analysis",
      purpose: "analyze",
    });
    const coverage = coverageRows(spec, tasks, model.coverage);
    const totalTasks = taskLines(tasks).length;
    const report = buildReport(mechanicalFindings({ spec, plan, tasks }), model, coverage, totalTasks);
    const severity_counts = Object.fromEntries(
      SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length]),
    ) as AnalyzeResult["severity_counts"];
    const metrics = { ...report.metrics, coverage_pct: report.metrics.coverage_pct ?? "n/a (the spec has no requirement ids)" };
    const markdown = renderAnalysis({ findings: report.findings, coverage: report.coverage, metrics, nextActions: report.next_actions });
    return {
      branch: ref.branch,
      message: "",
      readOnly: true,
      result: { feature: paths.feature, feature_dir: paths.dir, report, severity_counts, markdown, prompt_version: ANALYZE_PROMPT_VERSION },
    };
  });
}

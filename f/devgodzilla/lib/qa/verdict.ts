// Verdict and report: blocking findings (QA's gates and the principles' checks in blocking mode,
// criteria the task must prove, principles the model found violated, failed required checklist
// items, failed project checks) fail the verdict; otherwise a weighted score over the parts that
// ran is compared with the threshold (checklist items nobody judged are left out of it). The
// markdown report — criteria first, then principles, gates, checklist and checks — is what a person
// reads in the run page and in specs/<feature>/_runtime/qa-report.md.

import type { QaConfig } from "./config.ts";
import type { CheckRun, ChecklistResult, CriterionResult, Finding, GateResult, PrincipleResult, ScoreParts, Verdict } from "./types.ts";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export interface VerdictParts {
  gates: GateResult[];
  checklist: ChecklistResult[];
  checks: CheckRun[];
  criteria?: CriterionResult[];
  principles?: PrincipleResult[];
  /** Blocking or warning findings of the principles the model judged. */
  principleFindings?: Finding[];
}

/** A checklist item's share of the score: only a PASSED item counts; NOT_JUDGED items are left out. */
const CHECKLIST_SCORE: Partial<Record<ChecklistResult["status"], number>> = { PASSED: 1, FAILED: 0, UNCLEAR: 0 };

export function computeVerdict(input: VerdictParts, config: QaConfig): Verdict {
  const { gates, checklist, checks } = input;
  const blocking: Finding[] = [];
  for (const g of gates) for (const f of g.findings) if (f.severity === "blocking") blocking.push(f);
  for (const f of input.principleFindings ?? []) if (f.severity === "blocking") blocking.push(f);
  for (const c of checklist) {
    if (c.required && c.status === "FAILED") {
      const ev = c.evidence[0];
      blocking.push({
        code: "CHECKLIST_FAILED",
        source: "checklist",
        severity: "blocking",
        message: `${c.id} failed: ${c.text} — ${c.explanation}`,
        file: ev?.file,
        line: ev?.startLine,
        fix: "Change the code (or the spec) so the item holds.",
      });
    }
  }
  for (const r of checks) if (r.status !== "passed" && r.status !== "skipped") for (const f of r.findings) if (f.severity === "blocking") blocking.push(f);

  const ranGates = gates.filter((g) => g.status !== "skipped");
  const ranChecks = checks.filter((c) => c.status !== "skipped");
  const judged = checklist.filter((c) => CHECKLIST_SCORE[c.status] !== undefined);
  const available: Partial<ScoreParts> = {};
  if (ranGates.length)
    available.gates = mean(ranGates.map((g) => (g.status === "passed" ? 1 : g.status === "warned" ? Math.max(0.5, 1 - 0.1 * g.findings.length) : 0)));
  if (judged.length) available.checklist = mean(judged.map((c) => CHECKLIST_SCORE[c.status]!));
  if (ranChecks.length) available.checks = mean(ranChecks.map((c) => (c.status === "passed" ? 1 : 0)));
  let wsum = 0,
    acc = 0;
  for (const k of ["gates", "checklist", "checks"] as const) {
    if (available[k] === undefined) continue;
    wsum += config.weights[k];
    acc += config.weights[k] * available[k]!;
  }
  const score = wsum > 0 ? Math.round((acc / wsum) * 1000) / 1000 : 1;
  const parts: ScoreParts = { gates: r3(available.gates ?? 1), checklist: r3(available.checklist ?? 1), checks: r3(available.checks ?? 1) };
  const warnings = [...gates.flatMap((g) => g.findings), ...checks.flatMap((c) => c.findings), ...(input.principleFindings ?? [])].filter(
    (f) => f.severity === "warning",
  ).length;
  const failedBlocking = blocking.length > 0;
  const status: Verdict["status"] = failedBlocking || score < config.threshold ? "failed" : "passed";
  let recommendation: string;
  if (failedBlocking) {
    const first = blocking[0]!;
    recommendation = `Do not merge: ${blocking.length} blocking issue${blocking.length === 1 ? "" : "s"}. First: ${first.code}${first.file ? ` at ${first.file}${first.line ? `:${first.line}` : ""}` : ""} — ${first.message}.${first.fix ? ` Fix: ${first.fix}` : ""}`;
  } else if (status === "failed") {
    const weakest = (Object.entries(available) as [keyof ScoreParts, number][]).sort((a, b) => a[1] - b[1])[0];
    recommendation = `Below the passing score (${score} < ${config.threshold}); weakest part: ${weakest?.[0]} (${r3(weakest?.[1] ?? 0)}). Address the warnings and unclear checklist items, then re-run QA.`;
  } else {
    recommendation = warnings
      ? `Ready for a pull request; ${warnings} warning${warnings === 1 ? "" : "s"} worth a look in review.`
      : "Ready for a pull request.";
  }
  return {
    status,
    score,
    threshold: config.threshold,
    parts,
    blocking,
    warnings,
    recommendation,
    criteria: input.criteria ?? [],
    principles: input.principles ?? [],
    gates,
    checklist,
    checks,
  };
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n+/g, " ").trim();
const loc = (f: { file?: string; line?: number }) => (f.file ? `\`${f.file}${f.line ? `:${f.line}` : ""}\`` : "");

export interface ReportMeta {
  feature: string;
  branch: string;
  commit: string;
  base: string;
  /** How evidence was ranked, e.g. "BM25 over 1,234 chunks + embeddings (text-embedding-3-small)". */
  retrieval?: string;
  /** Why a section is empty (no profile, no LLM…). */
  notes?: string[];
  /** Where the criteria and the constitution were read from. */
  criteriaFrom?: string | null;
  constitutionFrom?: string | null;
}

const VERDICT_ICON: Record<string, string> = {
  proven: "✅ proven",
  failing: "❌ failing",
  unproven: "❔ unproven",
  pass: "✅ pass",
  fail: "❌ fail",
  warn: "⚠️ warn",
  not_applicable: "➖ not applicable",
  not_judged: "❔ not judged",
};

function criteriaSection(v: Verdict, meta: ReportMeta): string[] {
  const out = ["## Acceptance criteria", ""];
  if (meta.criteriaFrom) out.push(`_From \`${meta.criteriaFrom}\`; a criterion is proven by a test that names its id, ran and passed._`, "");
  if (!v.criteria.length) return [...out, "_No acceptance criteria (spec.md has no acceptance scenarios or requirement ids)._", ""];
  out.push("| Criterion | Required | Verdict | Evidence |", "|---|---|---|---|");
  for (const c of v.criteria) {
    out.push(`| **${c.id}** ${cell(c.text).slice(0, 120)} | ${c.required ? "yes" : "no"} | ${VERDICT_ICON[c.verdict]} | ${cell(c.reason).slice(0, 240)} |`);
  }
  return [...out, ""];
}

function principlesSection(v: Verdict, meta: ReportMeta): string[] {
  const out = ["## Constitution principles", ""];
  if (meta.constitutionFrom) out.push(`_From \`${meta.constitutionFrom}\`: every principle, in the file's order._`, "");
  if (!v.principles.length) return [...out, "_The constitution has no principles QA could read._", ""];
  out.push("| Principle | Verdict | How | Evidence |", "|---|---|---|---|");
  for (const p of v.principles) out.push(`| **${cell(p.id)}** ${cell(p.title)} | ${VERDICT_ICON[p.verdict]} | ${p.how} | ${cell(p.evidence).slice(0, 300)} |`);
  return [...out, ""];
}

function findingLines(f: Finding): string[] {
  if (!f.lines?.length) return [];
  const body = f.lines
    .slice(0, 10)
    .map((l) => `${l.change} ${l.file}:${l.line}: ${l.text.replace(/```/g, "ʼʼʼ").slice(0, 160)}`)
    .join("\n");
  return [
    `  \`\`\`diff\n${body
      .split("\n")
      .map((x) => `  ${x}`)
      .join("\n")}\n  \`\`\``,
  ];
}

export function renderReport(v: Verdict, meta: ReportMeta): string {
  const out: string[] = [];
  out.push(`# QA report: ${meta.feature}`);
  out.push("");
  out.push(
    `**Verdict: ${v.status === "passed" ? "✅ PASSED" : "❌ FAILED"}** · score **${v.score.toFixed(2)}** (threshold ${v.threshold.toFixed(2)}; gates ${v.parts.gates.toFixed(2)}, checklist ${v.parts.checklist.toFixed(2)}, checks ${v.parts.checks.toFixed(2)}) · ${v.blocking.length} blocking, ${v.warnings} warnings`,
  );
  out.push("");
  out.push(`Branch \`${meta.branch}\` at \`${meta.commit.slice(0, 12)}\` compared with \`${meta.base.slice(0, 12)}\`.`);
  out.push("");
  out.push(`**Recommendation:** ${v.recommendation}`);
  out.push("");
  for (const n of meta.notes ?? []) out.push(`> ${n}`, "");
  out.push(...criteriaSection(v, meta), ...principlesSection(v, meta));
  out.push("## Gates");
  out.push("");
  out.push("| Gate | Principles | Mode | Status | Findings | Note |");
  out.push("|---|---|---|---|---|---|");
  const icon = { passed: "✅ passed", failed: "❌ failed", warned: "⚠️ warned", skipped: "⏭️ skipped" } as const;
  for (const g of v.gates)
    out.push(
      `| ${cell(g.name)} (\`${g.id}\`) | ${g.principles.join(", ") || "QA"} | ${g.mode} | ${icon[g.status]} | ${g.findings.length} | ${cell(g.note ?? "").slice(0, 200)} |`,
    );
  out.push("");
  out.push("## Checklist");
  out.push("");
  if (meta.retrieval) out.push(`_Evidence: ${meta.retrieval}._`, "");
  if (!v.checklist.length) out.push("_No checklist items (no checklists/*.md and no acceptance scenarios, or checklist validation disabled)._");
  else {
    out.push("| Item | Required | Status | Explanation | Evidence (tokens sent) |");
    out.push("|---|---|---|---|---|");
    const st = { PASSED: "✅ PASSED", FAILED: "❌ FAILED", UNCLEAR: "❔ UNCLEAR", NOT_JUDGED: "➖ NOT JUDGED" } as const;
    for (const c of v.checklist) {
      const ev = c.evidence
        .slice(0, 3)
        .map((e) => `\`${e.file}:${e.startLine}-${e.endLine}\``)
        .join(", ");
      out.push(
        `| **${c.id}** ${cell(c.text).slice(0, 140)} | ${c.required ? "yes" : "no"} | ${st[c.status]} | ${cell(c.explanation).slice(0, 300)} | ${ev}${c.evidence.length > 3 ? ` +${c.evidence.length - 3}` : ""} (${c.tokensSent}) |`,
      );
    }
  }
  out.push("");
  out.push("## Project checks");
  out.push("");
  if (!v.checks.length) out.push("_No project checks ran (no project profile was given to the qa step)._", "");
  out.push("| Kind | Command | Status | Tests | Time | Note |");
  out.push("|---|---|---|---|---|---|");
  for (const c of v.checks) {
    const counts = c.counts
      ? `${c.counts.passed} passed, ${c.counts.failed} failed${c.counts.skipped ? `, ${c.counts.skipped} skipped` : ""}${c.results?.base ? ` (base: ${c.results.base.executed} ran)` : ""}`
      : "";
    out.push(
      `| ${c.kind} | ${c.command.length ? `\`${cell(c.command.join(" ")).slice(0, 160)}\`` : ""} | ${c.status} | ${counts} | ${(c.durationMs / 1000).toFixed(1)}s | ${cell([c.sandboxed ? "sandboxed" : c.status === "skipped" ? "" : "NOT sandboxed", c.note ?? ""].filter(Boolean).join("; "))} |`,
    );
  }
  out.push("");
  out.push("## Findings");
  out.push("");
  const all: Finding[] = [...v.blocking];
  for (const g of v.gates) for (const f of g.findings) if (f.severity !== "blocking") all.push(f);
  for (const c of v.checks) for (const f of c.findings) if (f.severity !== "blocking" || c.status === "passed") all.push(f);
  if (!all.length) out.push("_None._");
  for (const f of all.slice(0, 100)) {
    out.push(
      `- ${f.severity === "blocking" ? "❌" : "⚠️"} **${f.code}**${f.principle ? ` (principle ${f.principle})` : ""} ${loc(f)} — ${f.message}${f.fix ? `\n  - Fix: ${f.fix}` : ""}`,
    );
    out.push(...findingLines(f));
  }
  if (all.length > 100) out.push(`- … ${all.length - 100} more`);
  const failedChecks = v.checks.filter((c) => c.status === "failed" || c.status === "timeout" || c.status === "error");
  for (const c of failedChecks) {
    if (!c.outputTail.trim()) continue;
    out.push("");
    out.push(`<details><summary>${c.kind} output (tail)</summary>\n\n\`\`\`\n${c.outputTail.replace(/\`\`\`/g, "ʼʼʼ")}\n\`\`\`\n</details>`);
  }
  out.push("");
  return out.join("\n");
}

// Verdict and report: blocking findings (gates in blocking mode, failed required checklist items,
// failed project checks) fail the verdict; otherwise a weighted score over the parts that ran is
// compared with the threshold. The markdown report is what a person reads in the run page and in
// specs/<feature>/_runtime/qa-report.md.

import type { QaConfig } from "./config.ts";
import type { CheckRun, ChecklistResult, Finding, GateResult, ScoreParts, Verdict } from "./types.ts";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function computeVerdict(gates: GateResult[], checklist: ChecklistResult[], checks: CheckRun[], config: QaConfig): Verdict {
  const blocking: Finding[] = [];
  for (const g of gates) for (const f of g.findings) if (f.severity === "blocking") blocking.push(f);
  for (const c of checklist) {
    if (c.required && c.status === "FAILED") {
      const ev = c.evidence[0];
      blocking.push({ code: "CHECKLIST_FAILED", source: "checklist", severity: "blocking", message: `${c.id} failed: ${c.text} — ${c.explanation}`, file: ev?.file, line: ev?.startLine, fix: "Change the code (or the spec) so the item holds." });
    }
  }
  for (const r of checks) if (r.status !== "passed" && r.status !== "skipped") for (const f of r.findings) if (f.severity === "blocking") blocking.push(f);

  const ranGates = gates.filter((g) => g.status !== "skipped");
  const ranChecks = checks.filter((c) => c.status !== "skipped");
  const available: Partial<ScoreParts> = {};
  if (ranGates.length) available.gates = mean(ranGates.map((g) => (g.status === "passed" ? 1 : g.status === "warned" ? Math.max(0.5, 1 - 0.1 * g.findings.length) : 0)));
  if (checklist.length) available.checklist = mean(checklist.map((c) => (c.status === "PASSED" ? 1 : c.status === "UNCLEAR" ? 0.5 : 0)));
  if (ranChecks.length) available.checks = mean(ranChecks.map((c) => (c.status === "passed" ? 1 : 0)));
  let wsum = 0, acc = 0;
  for (const k of ["gates", "checklist", "checks"] as const) {
    if (available[k] === undefined) continue;
    wsum += config.weights[k];
    acc += config.weights[k] * available[k]!;
  }
  const score = wsum > 0 ? Math.round((acc / wsum) * 1000) / 1000 : 1;
  const parts: ScoreParts = { gates: r3(available.gates ?? 1), checklist: r3(available.checklist ?? 1), checks: r3(available.checks ?? 1) };
  const warnings = gates.reduce((a, g) => a + g.findings.filter((f) => f.severity === "warning").length, 0) + checks.reduce((a, c) => a + c.findings.filter((f) => f.severity === "warning").length, 0);
  const failedBlocking = blocking.length > 0;
  const status: Verdict["status"] = failedBlocking || score < config.threshold ? "failed" : "passed";
  let recommendation: string;
  if (failedBlocking) {
    const first = blocking[0];
    recommendation = `Do not merge: ${blocking.length} blocking issue${blocking.length === 1 ? "" : "s"}. First: ${first.code}${first.file ? ` at ${first.file}${first.line ? `:${first.line}` : ""}` : ""} — ${first.message}.${first.fix ? ` Fix: ${first.fix}` : ""}`;
  } else if (status === "failed") {
    const weakest = (Object.entries(available) as [keyof ScoreParts, number][]).sort((a, b) => a[1] - b[1])[0];
    recommendation = `Below the passing score (${score} < ${config.threshold}); weakest part: ${weakest?.[0]} (${r3(weakest?.[1] ?? 0)}). Address the warnings and unclear checklist items, then re-run QA.`;
  } else {
    recommendation = warnings ? `Ready for a pull request; ${warnings} warning${warnings === 1 ? "" : "s"} worth a look in review.` : "Ready for a pull request.";
  }
  return { status, score, threshold: config.threshold, parts, blocking, warnings, recommendation, gates, checklist, checks };
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
}

export function renderReport(v: Verdict, meta: ReportMeta): string {
  const out: string[] = [];
  out.push(`# QA report: ${meta.feature}`);
  out.push("");
  out.push(`**Verdict: ${v.status === "passed" ? "✅ PASSED" : "❌ FAILED"}** · score **${v.score.toFixed(2)}** (threshold ${v.threshold.toFixed(2)}; gates ${v.parts.gates.toFixed(2)}, checklist ${v.parts.checklist.toFixed(2)}, checks ${v.parts.checks.toFixed(2)}) · ${v.blocking.length} blocking, ${v.warnings} warnings`);
  out.push("");
  out.push(`Branch \`${meta.branch}\` at \`${meta.commit.slice(0, 12)}\` compared with \`${meta.base.slice(0, 12)}\`.`);
  out.push("");
  out.push(`**Recommendation:** ${v.recommendation}`);
  out.push("");
  for (const n of meta.notes ?? []) out.push(`> ${n}`, "");
  out.push("## Constitutional gates");
  out.push("");
  out.push("| Article | Gate | Mode | Status | Findings | Note |");
  out.push("|---|---|---|---|---|---|");
  const icon = { passed: "✅ passed", failed: "❌ failed", warned: "⚠️ warned", skipped: "⏭️ skipped" } as const;
  for (const g of v.gates) out.push(`| ${g.article} | ${cell(g.name)} | ${g.mode} | ${icon[g.status]} | ${g.findings.length} | ${cell(g.note ?? "")} |`);
  out.push("");
  out.push("## Checklist");
  out.push("");
  if (meta.retrieval) out.push(`_Evidence: ${meta.retrieval}._`, "");
  if (!v.checklist.length) out.push("_No checklist items (no checklists/*.md and no acceptance scenarios, or checklist validation disabled)._");
  else {
    out.push("| Item | Required | Status | Explanation | Evidence (tokens sent) |");
    out.push("|---|---|---|---|---|");
    const st = { PASSED: "✅ PASSED", FAILED: "❌ FAILED", UNCLEAR: "❔ UNCLEAR" } as const;
    for (const c of v.checklist) {
      const ev = c.evidence.slice(0, 3).map((e) => `\`${e.file}:${e.startLine}-${e.endLine}\``).join(", ");
      out.push(`| **${c.id}** ${cell(c.text).slice(0, 140)} | ${c.required ? "yes" : "no"} | ${st[c.status]} | ${cell(c.explanation).slice(0, 300)} | ${ev}${c.evidence.length > 3 ? ` +${c.evidence.length - 3}` : ""} (${c.tokensSent}) |`);
    }
  }
  out.push("");
  out.push("## Project checks");
  out.push("");
  if (!v.checks.length) out.push("_No project checks ran (no project profile was given to the qa step)._", "");
  out.push("| Kind | Command | Status | Tests | Time | Note |");
  out.push("|---|---|---|---|---|---|");
  for (const c of v.checks) {
    const counts = c.counts ? `${c.counts.passed} passed, ${c.counts.failed} failed${c.counts.skipped ? `, ${c.counts.skipped} skipped` : ""}` : "";
    out.push(`| ${c.kind} | ${c.command.length ? `\`${cell(c.command.join(" "))}\`` : ""} | ${c.status} | ${counts} | ${(c.durationMs / 1000).toFixed(1)}s | ${cell([c.sandboxed ? "sandboxed" : c.status === "skipped" ? "" : "NOT sandboxed", c.note ?? ""].filter(Boolean).join("; "))} |`);
  }
  out.push("");
  out.push("## Findings");
  out.push("");
  const all: Finding[] = [...v.blocking];
  for (const g of v.gates) for (const f of g.findings) if (f.severity !== "blocking") all.push(f);
  for (const c of v.checks) for (const f of c.findings) if (f.severity !== "blocking" || c.status === "passed") all.push(f);
  if (!all.length) out.push("_None._");
  for (const f of all.slice(0, 100)) {
    out.push(`- ${f.severity === "blocking" ? "❌" : "⚠️"} **${f.code}**${f.article ? ` (Article ${f.article})` : ""} ${loc(f)} — ${f.message}${f.fix ? `\n  - Fix: ${f.fix}` : ""}`);
  }
  if (all.length > 100) out.push(`- … ${all.length - 100} more`);
  const failedChecks = v.checks.filter((c) => c.status === "failed" || c.status === "timeout" || c.status === "error");
  for (const c of failedChecks) {
    if (!c.outputTail.trim()) continue;
    out.push("");
    out.push(`<details><summary>${c.kind} output (tail)</summary>\n\n\`\`\`\n${c.outputTail.replace(/```/g, "ʼʼʼ")}\n\`\`\`\n</details>`);
  }
  out.push("");
  return out.join("\n");
}

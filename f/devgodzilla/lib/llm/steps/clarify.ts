// clarify: writes answers into spec.md (## Clarifications / ### Session / - Q: … → A: …), edits
// the affected sections, removes answered markers, re-checks requirements.md, and optionally asks
// the model for up to 5 further questions by Spec Kit's coverage taxonomy.

import { z } from "zod";
import { InputError } from "../../errors.ts";
import { ClarifyEdits, CoverageScan, Question, markersIn } from "../artifacts/schemas.ts";
import { applyClarifications, type AnsweredQuestion } from "../artifacts/clarifications.ts";
import { recheckRequirementsChecklist, renderQuestions } from "../artifacts/render.ts";
import { specFacts } from "../artifacts/parse.ts";
import { featureFrom, progress, runStep, stepRef, targetBranch, today, type StepOutput } from "../artifacts/step.ts";
import { CLARIFY_EDIT_SYSTEM, CLARIFY_PROMPT_VERSION, CLARIFY_SCAN_SYSTEM, clarifyEditPrompt, clarifyScanPrompt } from "../../../prompts/clarify.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";

export interface ClarifyParams extends CommonParams {
  feature?: string;
  /** The open questions (specify's or a previous clarify's `questions`). */
  questions?: unknown[];
  /** Question id → answer: free text, an option letter ("B"), or "recommended"/"yes". Empty = not answered. */
  answers?: Record<string, unknown> | null;
  /** Further questions to generate by coverage taxonomy (0–5). */
  max_new_questions?: number;
}

export interface ClarifyResult extends StepOutput {
  feature: string;
  feature_dir: string;
  spec_path: string;
  answered: { id: string; question: string; answer: string }[];
  /** Still open: unanswered questions plus newly generated ones. */
  questions: Question[];
  questions_markdown: string;
  remaining_markers: number;
  coverage: { category: string; status: string }[];
  prompt_version: string;
}

/** Resolves answers against questions; unknown ids and non-string answers are input errors. */
export function resolveAnswers(questions: Question[], answers: Record<string, unknown>): { answered: (AnsweredQuestion & { id: string })[]; open: Question[] } {
  for (const [id, v] of Object.entries(answers)) {
    // An approval form has fixed fields (Q1..Q8): empty ones for questions not asked are fine.
    const empty = v === null || v === undefined || (typeof v === "string" && v.trim() === "");
    if (!questions.some((q) => q.id === id) && !empty)
      throw new InputError(`answers.${id}`, "answers a question that is not open", `open questions: ${questions.map((q) => q.id).join(", ") || "none"}`);
    if (v !== null && v !== undefined && typeof v !== "string") throw new InputError(`answers.${id}`, "must be text");
  }
  const answered: (AnsweredQuestion & { id: string })[] = [];
  const open: Question[] = [];
  for (const q of questions) {
    const raw = typeof answers[q.id] === "string" ? (answers[q.id] as string).trim() : "";
    if (!raw) {
      open.push(q);
      continue;
    }
    let answer = raw;
    const option = q.options.find((o) => o.key.toUpperCase() === raw.toUpperCase());
    if (option) answer = option.answer;
    else if (/^(yes|recommended|ok)$/i.test(raw)) answer = q.recommended;
    if (answer.length > 2000) throw new InputError(`answers.${q.id}`, "is longer than 2000 characters");
    answered.push({ id: q.id, question: q.question, answer, marker: q.marker });
  }
  return { answered, open };
}

export async function runClarify(p: ClarifyParams): Promise<ClarifyResult> {
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const qs = z.array(Question).safeParse(p.questions ?? []);
  if (!qs.success)
    throw new InputError(
      "questions",
      `not a list of questions (${qs.error.issues[0]?.path.join(".")}: ${qs.error.issues[0]?.message})`,
      "pass the `questions` returned by specify or clarify",
    );
  const maxNew = p.max_new_questions ?? 0;
  if (!Number.isInteger(maxNew) || maxNew < 0 || maxNew > 5) throw new InputError("max_new_questions", "must be an integer from 0 to 5");
  if (p.answers !== undefined && p.answers !== null && (typeof p.answers !== "object" || Array.isArray(p.answers)))
    throw new InputError("answers", "must be an object of question id → answer");
  const { answered, open } = resolveAnswers(qs.data, p.answers ?? {});
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    let spec = await requireArtifact(ws, paths.spec, "specify");
    const oldFacts = specFacts(spec);
    for (const a of answered) {
      if (a.marker && !markersIn(spec).includes(a.marker.trim()))
        throw new InputError(
          `answers.${a.id}`,
          `the marker "[NEEDS CLARIFICATION: ${a.marker}]" is not in ${paths.spec} at this commit`,
          "it may have been answered already; pass the latest questions",
        );
    }
    const ctx = await promptContext(ws, spec.slice(0, 4000), Math.min(p.context_budget_tokens ?? 3000, 3000));
    const date = today();
    await progress(10);
    if (answered.length) {
      const edits = await llm.structured({
        system: CLARIFY_EDIT_SYSTEM,
        prompt: clarifyEditPrompt(spec, answered, ctx),
        schema: ClarifyEdits,
        schemaName: "spec_edits",
        purpose: "clarify",
      });
      spec = applyClarifications(spec, date, answered, edits.edits).markdown;
    }
    await progress(50);
    let coverage: { category: string; status: string }[] = [];
    let fresh: Question[] = [];
    if (maxNew > 0) {
      const scan = await llm.structured({
        system: CLARIFY_SCAN_SYSTEM,
        prompt: clarifyScanPrompt(spec, maxNew, ctx),
        schema: CoverageScan,
        schemaName: "coverage_scan",
        purpose: "clarify-scan",
      });
      coverage = scan.coverage;
      const used = new Set(qs.data.map((q) => Number(q.id.slice(1))));
      let next = Math.max(0, ...used) + 1;
      fresh = scan.questions.slice(0, maxNew).map((q) => ({ ...q, marker: "", id: `Q${next++}`, category: q.category ?? "" }));
    }
    const facts = specFacts(spec);
    if (answered.length) {
      await ws.write(paths.spec, spec);
      const checklist = recheckRequirementsChecklist(await ws.read(paths.requirementsChecklist), oldFacts, facts, { date, specLink: "../spec.md" });
      await ws.write(paths.requirementsChecklist, checklist);
    }
    const questions = [...open, ...fresh];
    await progress(90);
    return {
      branch: targetBranch(ref.branch, paths.feature),
      message: `clarify: ${paths.feature} (${answered.length} answer${answered.length === 1 ? "" : "s"} integrated)\n\n${answered.map((a) => `- Q: ${a.question} → A: ${a.answer}`).join("\n")}`,
      result: {
        feature: paths.feature,
        feature_dir: paths.dir,
        spec_path: paths.spec,
        answered: answered.map((a) => ({ id: a.id, question: a.question, answer: a.answer })),
        questions,
        questions_markdown: renderQuestions(questions),
        remaining_markers: facts.markers.length,
        coverage,
        prompt_version: CLARIFY_PROMPT_VERSION,
      },
    };
  });
}

// plan: spec.md → plan.md (technical context, constitution check that FAILS on an unjustified
// violation), research.md, data-model.md, quickstart.md, contracts/ (only when there are any).

import { InputError } from "../../errors.ts";
import { detectProject } from "../../project/detect.ts";
import { ConstitutionViolationError } from "../errors.ts";
import { PlanDraft } from "../artifacts/schemas.ts";
import { CONTRACT_EXT, renderDataModel, renderPlan, renderQuickstart, renderResearch } from "../artifacts/render.ts";
import { constitutionPrinciples, parseSpec } from "../artifacts/parse.ts";
import { featureFrom, progress, runStep, stepRef, targetBranch, today, type StepOutput } from "../artifacts/step.ts";
import { PLAN_PROMPT_VERSION, PLAN_SYSTEM, planPrompt } from "../../../prompts/plan.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";

export interface PlanParams extends CommonParams {
  feature?: string;
  /** Plan even though the spec still has [NEEDS CLARIFICATION] markers. */
  allow_open_questions?: boolean;
}

export interface PlanResult extends StepOutput {
  feature: string;
  feature_dir: string;
  plan_path: string;
  constitution_check: { principle: string; status: string; justified: boolean }[];
  needs_clarification: string[];
  prompt_version: string;
}

/** Unjustified violations (and gates whose principle is not in the constitution are kept as given). */
export function unjustifiedViolations(d: PlanDraft): { principle: string; evidence: string }[] {
  return d.constitutionCheck
    .filter((g) => g.status === "VIOLATION" && g.justification.trim().length < 10)
    .map((g) => ({ principle: g.principle, evidence: g.evidence }));
}

export async function runPlan(p: PlanParams): Promise<PlanResult> {
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    const spec = await requireArtifact(ws, paths.spec, "specify");
    const parsed = parseSpec(spec);
    if (parsed.markers.length && !p.allow_open_questions) {
      throw new InputError(
        "feature",
        `${paths.spec} still has ${parsed.markers.length} [NEEDS CLARIFICATION] marker(s): ${parsed.markers.map((m) => `"${m}"`).join(", ")}`,
        "answer them with clarify first, or pass allow_open_questions",
      );
    }
    const ctx = await promptContext(ws, `${parsed.title}\n${parsed.requirements.map((r) => r.text).join("\n")}`, p.context_budget_tokens ?? 6000);
    const profile = await detectProject(ws.dir).catch(() => undefined);
    const profileText = profile
      ? JSON.stringify(
          {
            languages: profile.languages,
            frameworks: profile.frameworks,
            packageManager: profile.packageManager,
            units: profile.units,
            commands: Object.fromEntries(Object.entries(profile.commands).map(([k, v]) => [k, v[0]?.argv.join(" ") ?? null])),
          },
          null,
          1,
        )
      : "(not detected)";
    await progress(10);
    const draft = await llm.structured({
      system: PLAN_SYSTEM,
      prompt: planPrompt(spec, profileText, ctx),
      schema: PlanDraft,
      schemaName: "implementation_plan",
      purpose: "plan",
    });
    await progress(70);
    const bad = unjustifiedViolations(draft);
    if (bad.length) throw new ConstitutionViolationError(bad);
    // Every constitution principle must be gated; a missing one is recorded as not evaluated.
    const named = new Set(draft.constitutionCheck.map((g) => g.principle.toLowerCase()));
    for (const pr of constitutionPrinciples((await ws.constitution()) ?? "")) {
      const short = pr.replace(/^[IVXLC]+\.\s*/, "").toLowerCase();
      if (![...named].some((n) => n.includes(short) || short.includes(n)))
        draft.constitutionCheck.push({
          principle: pr,
          status: "N/A",
          evidence: "not evaluated by the plan",
          justification: "",
          simplerAlternativeRejectedBecause: "",
        });
    }
    const meta = { featureDir: paths.feature, date: today(), featureTitle: parsed.title || paths.feature };
    await ws.write(paths.plan, renderPlan(draft, meta));
    await ws.write(paths.research, renderResearch(draft, meta));
    if (draft.dataModel.length) await ws.write(paths.dataModel, renderDataModel(draft, meta));
    await ws.write(paths.quickstart, renderQuickstart(draft, meta));
    for (const c of draft.contracts)
      await ws.write(`${paths.contracts}/${c.name.replace(/\.(ya?ml|graphql|md|json)$/i, "")}.${CONTRACT_EXT[c.kind]}`, c.content);
    const needs = Object.entries(draft.technicalContext)
      .filter(([, v]) => /NEEDS CLARIFICATION/i.test(v))
      .map(([k]) => k);
    return {
      branch: targetBranch(ref.branch, paths.feature),
      message: `plan: ${paths.feature}\n\n${draft.summary.slice(0, 400)}`,
      result: {
        feature: paths.feature,
        feature_dir: paths.dir,
        plan_path: paths.plan,
        constitution_check: draft.constitutionCheck.map((g) => ({
          principle: g.principle,
          status: g.status,
          justified: g.status !== "VIOLATION" || g.justification.trim().length >= 10,
        })),
        needs_clarification: needs,
        prompt_version: PLAN_PROMPT_VERSION,
      },
    };
  });
}

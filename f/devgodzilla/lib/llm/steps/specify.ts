// specify: feature description → specs/NNN-short-name/spec.md + checklists/requirements.md, with
// at most 3 [NEEDS CLARIFICATION] markers returned as structured questions.

import { InputError } from "../../errors.ts";
import { featurePaths, listFeatureDirs, nextFeatureName, slugify, INIT_OPTIONS_PATH } from "../../speckit/paths.ts";
import { featureFromRunBranch, listRemoteBranches, runBranchName, RUN_BRANCH_PREFIX } from "../../git.ts";
import { SpecDraft, type Question } from "../artifacts/schemas.ts";
import { renderQuestions, renderRequirementsChecklist, renderSpec } from "../artifacts/render.ts";
import { specFacts } from "../artifacts/parse.ts";
import { progress, runStep, stepRef, today, type StepOutput } from "../artifacts/step.ts";
import { SPECIFY_PROMPT_VERSION, SPECIFY_SYSTEM, specifyPrompt } from "../../../prompts/specify.ts";
import { stepLlm, promptContext, type CommonParams } from "./common.ts";

export interface SpecifyParams extends CommonParams {
  feature_description: string;
  /** Optional explicit short name (slugified like Spec Kit's --short-name). */
  short_name?: string;
}

export interface SpecifyResult extends StepOutput {
  feature: string;
  feature_dir: string;
  spec_path: string;
  questions: Question[];
  /** The questions as markdown (for an approval page). */
  questions_markdown: string;
  prompt_version: string;
}

export const MAX_DESCRIPTION_CHARS = 20_000;

export function validateShortName(s: string | undefined): string | undefined {
  if (s === undefined || s.trim() === "") return undefined;
  if (/\.\.|[\/\\]/.test(s) || s.trim().startsWith("."))
    throw new InputError("short_name", `'${s}' would escape specs/`, "use a few words such as 'user-auth'");
  if (!slugify(s)) throw new InputError("short_name", `'${s}' has no letters or digits`);
  return s.trim();
}

/** The feature description, trimmed; empty or too long is an InputError. */
export function validateFeatureDescription(d: unknown): string {
  const description = typeof d === "string" ? d.trim() : "";
  if (!description) throw new InputError("feature_description", "is empty", "describe the feature in a sentence or more");
  if (description.length > MAX_DESCRIPTION_CHARS)
    throw new InputError("feature_description", `is longer than ${MAX_DESCRIPTION_CHARS} characters`, "put long material in the repository and reference it");
  return description;
}

export async function runSpecify(p: SpecifyParams): Promise<SpecifyResult> {
  // All input checks happen before anything is checked out or asked.
  const description = validateFeatureDescription(p.feature_description);
  const shortName = validateShortName(p.short_name);
  const ref = stepRef(p);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    await progress(10);
    const ctx = await promptContext(ws, description, p.context_budget_tokens ?? 6000);
    const draft = await llm.structured({
      system: SPECIFY_SYSTEM,
      prompt: specifyPrompt(description, ctx),
      schema: SpecDraft,
      schemaName: "feature_spec",
      purpose: "specify",
    });
    await progress(70);
    const fromModel = slugify(draft.shortName).split("-").filter(Boolean).slice(0, 4).join("-");
    // Spec Kit's init option: "feature_numbering": "timestamp" → YYYYMMDD-HHMMSS prefixes.
    const initOptions = await ws.read(INIT_OPTIONS_PATH).then(
      (t) => (t ? JSON.parse(t) : {}),
      () => ({}),
    );
    const timestamp = initOptions?.feature_numbering === "timestamp" ? new Date() : undefined;
    // Numbers held by other runs' branches (devgodzilla/NNN-…) count as taken too, so two runs
    // specifying at the same time never write the same feature directory/branch.
    const inFlight = Object.keys(await listRemoteBranches(ref.repo, RUN_BRANCH_PREFIX, { token: p.git_token }))
      .map(featureFromRunBranch)
      .filter((f): f is string => !!f);
    const next = nextFeatureName([...(await listFeatureDirs(ws.dir)), ...inFlight], {
      ...(fromModel ? { shortName: shortName ?? fromModel } : { shortName, description }),
      timestamp,
    });
    const feature = { ...next, paths: featurePaths(next.feature) };
    const date = today();
    const spec = renderSpec(draft.spec, { featureDir: feature.feature, date, description });
    const facts = specFacts(spec);
    // Questions in the order their markers appear in the spec: Q1, Q2, Q3.
    const questions: Question[] = facts.markers
      .map((m) => draft.questions.find((q) => q.marker.trim() === m))
      .filter((q, i, a): q is NonNullable<typeof q> => !!q && a.indexOf(q) === i)
      .map((q, i) => ({ ...q, id: `Q${i + 1}`, category: "" }));
    await ws.write(feature.paths.spec, spec);
    await ws.write(feature.paths.requirementsChecklist, renderRequirementsChecklist(facts, { date, specLink: "../spec.md" }));
    await progress(90);
    return {
      branch: runBranchName(feature.feature),
      // A new feature's branch must not exist yet: never replace another run's work.
      replaceOnConflict: false,
      message: `specify: ${feature.feature} (${questions.length} open question${questions.length === 1 ? "" : "s"})\n\n${description.slice(0, 500)}`,
      result: {
        feature: feature.feature,
        feature_dir: feature.paths.dir,
        spec_path: feature.paths.spec,
        questions,
        questions_markdown: renderQuestions(questions),
        prompt_version: SPECIFY_PROMPT_VERSION,
      },
    };
  });
}

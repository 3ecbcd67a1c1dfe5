// checklist: checklists/<domain>.md of CHK### items — "unit tests for English" that test how the
// requirements are written. An existing file for the domain is appended to, continuing the ids.

import { InputError } from "../../errors.ts";
import { ChecklistDraft } from "../artifacts/schemas.ts";
import { renderChecklist } from "../artifacts/render.ts";
import { parseSpec } from "../artifacts/parse.ts";
import { featureFrom, progress, runStep, stepRef, targetBranch, today, type StepOutput } from "../artifacts/step.ts";
import { CHECKLIST_PROMPT_VERSION, CHECKLIST_SYSTEM, checklistPrompt } from "../../../prompts/checklist.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";

export interface ChecklistParams extends CommonParams {
  feature?: string;
  /** ux, api, security, performance, … → checklists/<domain>.md */
  domain: string;
  focus?: string;
}

export interface ChecklistResult extends StepOutput {
  feature: string;
  feature_dir: string;
  checklist_path: string;
  items: number;
  first_id: string;
  last_id: string;
  traceability: number;
  prompt_version: string;
}

export function validateDomain(domain: unknown): string {
  const d = typeof domain === "string" ? domain.trim().toLowerCase() : "";
  if (!d) throw new InputError("domain", "is required", "e.g. ux, api, security, performance");
  if (/\.\.|[\/\\]/.test(d)) throw new InputError("domain", `'${domain}' would escape the checklists/ directory`);
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(d)) throw new InputError("domain", `'${domain}' must be a short slug (letters, digits, dashes)`);
  if (d === "requirements") throw new InputError("domain", "'requirements' is the specify step's own checklist", "pick another domain name");
  return d;
}

const pad3 = (n: number): string => String(n).padStart(3, "0");

export async function runChecklist(p: ChecklistParams): Promise<ChecklistResult> {
  const domain = validateDomain(p.domain);
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    const spec = await requireArtifact(ws, paths.spec, "specify");
    const rel = `${paths.checklists}/${domain}.md`;
    const existing = await ws.read(rel);
    const ctx = await promptContext(ws, `${domain} ${p.focus ?? ""}`, Math.min(p.context_budget_tokens ?? 2000, 4000));
    await progress(10);
    const draft = await llm.structured({
      system: CHECKLIST_SYSTEM,
      prompt: checklistPrompt(domain, p.focus ?? "", { spec, plan: await ws.read(paths.plan), tasks: await ws.read(paths.tasks) }, ctx),
      schema: ChecklistDraft,
      schemaName: "checklist",
      purpose: "checklist",
    });
    const items = draft.sections.flatMap((s) => s.items);
    const traced = items.filter((i) => i.refs.length > 0).length;
    const rendered = renderChecklist(draft, { featureTitle: parseSpec(spec).title || paths.feature, date: today(), domain, existing });
    await ws.write(rel, rendered.markdown);
    return {
      branch: targetBranch(ref.branch, paths.feature),
      message: `checklist: ${paths.feature} ${domain} (CHK${pad3(rendered.first)}–CHK${pad3(rendered.last)})`,
      result: {
        feature: paths.feature,
        feature_dir: paths.dir,
        checklist_path: rel,
        items: items.length,
        first_id: `CHK${pad3(rendered.first)}`,
        last_id: `CHK${pad3(rendered.last)}`,
        traceability: items.length ? Math.round((traced / items.length) * 100) / 100 : 0,
        prompt_version: CHECKLIST_PROMPT_VERSION,
      },
    };
  });
}

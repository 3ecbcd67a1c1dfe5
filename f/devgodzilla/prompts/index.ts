// Prompt versions in one place: scripts return them in their results so a run records exactly
// which prompt produced an artifact.
import { COMMON_VERSION } from "./common.ts";
import { SPECIFY_PROMPT_VERSION } from "./specify.ts";
import { CLARIFY_PROMPT_VERSION } from "./clarify.ts";
import { PLAN_PROMPT_VERSION } from "./plan.ts";
import { TASKS_PROMPT_VERSION } from "./tasks.ts";
import { CHECKLIST_PROMPT_VERSION } from "./checklist.ts";
import { ANALYZE_PROMPT_VERSION } from "./analyze.ts";

export const PROMPT_VERSIONS = {
  common: COMMON_VERSION,
  specify: SPECIFY_PROMPT_VERSION,
  clarify: CLARIFY_PROMPT_VERSION,
  plan: PLAN_PROMPT_VERSION,
  tasks: TASKS_PROMPT_VERSION,
  checklist: CHECKLIST_PROMPT_VERSION,
  analyze: ANALYZE_PROMPT_VERSION,
} as const;

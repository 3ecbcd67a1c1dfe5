// Task prompts for coding agents, per agent and task type. A project may override any of them with
// `.devgodzilla/prompts/<agent>/<type>.md` (or `.devgodzilla/prompts/default/<type>.md`) in its
// repository; lib/agentops/prompts.ts resolves and renders them. Placeholders are {{name}}; the
// allowed names are TASK_PROMPT_PLACEHOLDERS (an unknown one in an override is a ConfigError).

export const AGENT_TASK_PROMPTS_VERSION = "agent-task-prompts@2";

export const TASK_TYPES = ["code", "test", "docs", "config"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_PROMPT_PLACEHOLDERS = [
  "task_id",
  "description",
  "files",
  "story",
  "phase",
  "task_type",
  "agent",
  "feature_dir",
  "spec_path",
  "plan_path",
  "tasks_path",
  "test_command",
  "lint_command",
  "block_instruction",
] as const;
export type TaskPromptPlaceholder = (typeof TASK_PROMPT_PLACEHOLDERS)[number];

const HEADER = `You are implementing task {{task_id}} of the feature in {{feature_dir}}.
Task: {{description}}
Files named by the task: {{files}}
User story: {{story}} · phase: {{phase}}

Read {{spec_path}} (what and why), {{plan_path}} (how) and {{tasks_path}} (where this task sits) before changing anything.
Work only inside this repository. Do not commit, push or create branches: DevGodzilla commits your changes.`;

const FOOTER = `When you are done, reply with a short summary of what you changed and why.
{{block_instruction}}`;

/** Bundle defaults per task type (any agent). */
const DEFAULTS: Record<TaskType, string> = {
  code: `${HEADER}

Implement exactly what the task says, following the plan's structure and the project's existing style.
Keep the change small; do not refactor unrelated code. If tests exist for this area, make them pass: {{test_command}}.
Never delete, skip or weaken a test to make it pass; a test you add names the acceptance criterion it proves
(the ids in "(criteria: …)", e.g. US1-AS1 or FR-001) in its title, and compares results with expected values.
Run the linter if there is one: {{lint_command}}.

${FOOTER}`,
  test: `${HEADER}

Write the tests this task asks for. Tests come first (constitution: test-first), so they are expected to FAIL
until the implementation tasks are done — do not implement the feature to make them pass.
Each test names the criterion it proves in its title — the ids in "(criteria: …)" (US1-AS1, FR-001), e.g.
"US1-AS1 totals the prices of every item" — and compares the result with the expected value from the spec.
Put the tests where the project's test command finds them, and check that they load and run: {{test_command}}.

${FOOTER}`,
  docs: `${HEADER}

Write or update the documentation this task asks for. Describe behaviour a user relies on, with runnable examples
that match the code as it is now. Do not change source code.

${FOOTER}`,
  config: `${HEADER}

Change the configuration this task asks for (build, dependencies, CI, tooling). Keep versions pinned the way the
project already pins them, and never write secrets into files: credentials come from the environment.
Check that the project still builds and its tests still run: {{test_command}}.

${FOOTER}`,
};

/**
 * Agent-specific templates. Only where an agent needs different wording; everything else falls back
 * to DEFAULTS. Keyed by agent id (lib/agents/registry.ts).
 */
const BY_AGENT: Record<string, Partial<Record<TaskType, string>>> = {
  // Codex runs with --sandbox workspace-write: remind it that network installs will fail.
  codex: {
    code: `${DEFAULTS.code}

Note: the network is limited to the model endpoint; do not try to install packages.`,
  },
  // Aider-style diff agents and the built-in llm agent get the files inline; keep the prompt short.
  llm: {
    code: `Task {{task_id}}: {{description}}
Files: {{files}}
Follow {{spec_path}} and {{plan_path}}. Change only what the task needs.
{{block_instruction}}`,
    test: `Task {{task_id}} (tests first; they should fail until implemented): {{description}}
Files: {{files}}
Follow {{spec_path}}. Each test names the criterion id it proves (US1-AS1, FR-001) in its title.
{{block_instruction}}`,
  },
};

/** The bundled template for an agent and task type, and which entry it came from. */
export function bundledTaskPrompt(agent: string, type: TaskType): { template: string; source: string } {
  const own = BY_AGENT[agent]?.[type];
  if (own) return { template: own, source: `bundle: prompts/agents/${agent}/${type}` };
  return { template: DEFAULTS[type], source: `bundle: prompts/agents/default/${type}` };
}

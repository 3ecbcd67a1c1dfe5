// Prompt for f/devgodzilla/tasks (Spec Kit /speckit.tasks).
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

export const TASKS_PROMPT_VERSION = "tasks@1.1.0";

export const TASKS_SYSTEM = `${ROLE}

Task: break the plan into an executable task list organised by user story.
- setup: project initialisation; foundational: blocking prerequisites every story needs; stories: one entry per user story (storyIndex = the N of "User Story N" in the spec) with goal, independentTest, optional tests (only if the spec or constitution asks for tests/TDD — write them first) and implementation tasks; polish: cross-cutting work.
- Each task: key (a unique local id like "s1", "us1-model"), description (imperative, specific, naming the exact file path), file (the main repo-relative file it creates or edits), parallel (true only if it touches a different file than every other unfinished task it could run with and has no unmet dependency), dependsOn (keys of tasks that must finish first — be explicit; within a story: tests -> models -> services -> endpoints -> integration), criteria (ids from <criteria> that the task implements, or whose tests it writes; only ids from that list).
- Every criterion is named by at least one task. A test task's description says that each test names the criterion id it proves in its title (e.g. "US1-AS1 totals the cart").
- An entity shared by several stories goes to the earliest story or to foundational.
- Tasks small enough for one coding agent session each.`;

export function tasksPrompt(
  docs: { spec: string; plan: string; dataModel?: string; research?: string; contracts?: string; criteria?: readonly { id: string; text: string }[] },
  ctx: PromptContext,
): string {
  const criteria = (docs.criteria ?? []).map((c) => `- ${c.id}: ${c.text}`).join("\n");
  return `${contextBlock(ctx)}

<spec>
${docs.spec}
</spec>

<plan>
${docs.plan}
</plan>
${docs.dataModel ? `\n<data_model>\n${docs.dataModel}\n</data_model>\n` : ""}${docs.research ? `\n<research>\n${docs.research}\n</research>\n` : ""}${docs.contracts ? `\n<contracts>\n${docs.contracts}\n</contracts>\n` : ""}${criteria ? `\n<criteria>\n${criteria}\n</criteria>\n` : ""}
Write the tasks.`;
}

// The approval step of an IDE handoff (task_with_qa, after execute_task ended with outcome
// "ide_handoff"): returns this job's resume/cancel URLs and the approval page's instructions —
// which branch to check out, which command to run in which IDE. The module suspends on it; the
// person answers the form (done + a note) once they pushed their work.
import { AGENTS } from "./lib/agents/registry.ts";
import { ideSuspendPayload } from "./lib/agents/ide.ts";
import { IdeHandoffSchema } from "./lib/workspace/ide_handoff.ts";
import { InputError } from "./lib/errors.ts";

export async function main(handoff: { [key: string]: unknown }) {
  const parsed = IdeHandoffSchema.safeParse(handoff);
  if (!parsed.success) throw new InputError(`handoff.${parsed.error.issues[0]!.path.join(".")}`, parsed.error.issues[0]!.message, "pass execute_task's `handoff` result unchanged");
  const h = parsed.data;
  return ideSuspendPayload({
    agentId: h.agent, taskId: h.task_id, title: h.title, branch: h.branch, repoUrl: h.repo,
    commandFile: { agentId: h.agent, path: h.command_file, name: h.command_name, content: "" },
  }).then((p) => ({ ...p, ide: AGENTS[h.agent].name }));
}

// The last step of an IDE handoff: after the person answered the approval (done + a note), picks
// up what they pushed to the task branch and returns an execute_task result — outcome changed,
// no_change (marked done, nothing pushed) or blocked (not done, with a question) — for QA and
// feedback to judge like any agent's work. The command file DevGodzilla put on the branch is
// removed again.
import { pickUpIdeWork } from "./lib/workspace/ide_handoff.ts";

export async function main(
  handoff: { [key: string]: unknown },
  resume: { done: boolean; note?: string },
  github?: RT.Github,
) {
  return await pickUpIdeWork({ handoff, resume, token: github?.token });
}

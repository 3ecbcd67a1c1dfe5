import { existsSync } from "node:fs";
import * as wmill from "windmill-client";
import { runProcess } from "../../../../f/devgodzilla/lib/process.ts";

// Starts a child process (as an agent step does) that writes its pid to pid_file and then works for a
// minute, cancels this step's flow once the child runs, and waits for the child. The cancel must stop
// the child with the step (local runner only: it imports the bundle's process module by path).
export async function main(pid_file: string) {
  const child = runProcess({ file: "sh", args: ["-c", `echo $$ > "$PID_FILE"; exec sleep 60`], cwd: "/", env: { PID_FILE: pid_file }, log: false });
  while (!existsSync(pid_file)) await new Promise((r) => setTimeout(r, 20));
  await wmill.JobService.cancelQueuedJob({ workspace: process.env.WM_WORKSPACE!, id: process.env.WM_FLOW_JOB_ID!, requestBody: { reason: "stop the agent" } });
  const r = await child;
  return { exit: r.exitCode, aborted: r.aborted };
}

import { runProcess } from "../../../../f/devgodzilla/lib/process.ts";

// Starts a child process (as an agent step does) that appends its pid to pid_file and then works for a
// minute, and waits for it. A step timeout must stop the child with the step (local runner only: it
// imports the bundle's process module by path).
export async function main(pid_file: string) {
  const r = await runProcess({ file: "sh", args: ["-c", `echo $$ >> "$PID_FILE"; exec sleep 60`], cwd: "/", env: { PID_FILE: pid_file }, log: false });
  return { exit: r.exitCode, aborted: r.aborted };
}

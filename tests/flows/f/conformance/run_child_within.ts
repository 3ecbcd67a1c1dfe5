import { main as runChild } from "./run_child.ts";

// run_child under the script's own timeout (1 s in its .script.yaml), which Windmill applies to the
// script's jobs and to a flow step that sets no timeout of its own.
export async function main(pid_file: string) {
  return runChild(pid_file);
}

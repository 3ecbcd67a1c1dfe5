// Sleeps for `ms` under the script's own timeout (2 s in its .script.yaml), which Windmill applies
// to the script's jobs and to a flow step that sets no timeout of its own.
export async function main(ms = 30000) {
  await new Promise((r) => setTimeout(r, ms));
  return { slept: ms };
}

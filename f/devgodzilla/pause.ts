// Returns the number of seconds to wait. Give the step `sleep: result`: Windmill then starts the
// next step that much later without holding a worker (a flow-level sleep, not a job that sleeps).
export async function main(seconds = 0) {
  return Math.max(0, Number(seconds) || 0);
}

// Sleeps for `ms` and says so (a result without times, so two runs give equal results).
export async function main(ms = 2500, tag = "") {
  await new Promise((r) => setTimeout(r, ms));
  return { tag, slept: ms };
}

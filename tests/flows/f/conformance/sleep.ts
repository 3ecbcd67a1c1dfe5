// Sleeps, and reports when it started and ended (for overlap checks).
export async function main(ms = 50, tag = "") {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return { tag, start, end: Date.now() };
}

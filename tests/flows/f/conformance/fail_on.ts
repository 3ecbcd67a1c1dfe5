// Fails for iteration 2, returns the iteration otherwise.
export async function main(value: { index: number; value: number }) {
  if (value.value === 2) throw new Error("two fails");
  return { ok: value.value };
}

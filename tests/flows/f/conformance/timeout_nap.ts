// Sleeps for the loop iteration's value in ms (it takes the whole `iter`: a server without V8
// evaluates `flow_input.iter` but not `flow_input.iter.value`).
export async function main(iter: { index: number; value: number }) {
  await new Promise((r) => setTimeout(r, iter.value));
  return { slept: iter.value };
}

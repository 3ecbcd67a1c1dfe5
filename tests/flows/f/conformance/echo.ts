// Returns what it was given, so a test can see exactly what a step received.
export async function main(value: unknown = null, label = "") {
  return { value, label };
}

// Always fails with the given message.
export async function main(message = "boom") {
  throw new Error(message);
}

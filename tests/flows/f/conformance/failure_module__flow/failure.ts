export async function main(message: string, step_id: string, recover = false) {
  return { handled: true, message, step_id, recover };
}

// Takes a resource-typed parameter, as a real DevGodzilla script does.
export async function main(creds: RT.Openai, model = "gpt-test") {
  return { has_key: typeof creds.api_key === "string" && creds.api_key.length > 0, model };
}

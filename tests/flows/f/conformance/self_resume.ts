import * as wmill from "windmill-client";

// An approval step's script that has nothing to ask: it resumes its own step with `payload`.
export async function main(payload: { [key: string]: unknown } = {}) {
  const { resume } = await wmill.getResumeUrls();
  const res = await fetch(resume, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
  if (!res.ok) throw new Error(`resume failed: ${res.status} ${await res.text()}`);
  return { resumed: true };
}

import * as wmill from "windmill-client";

// A suspended step meeting another job through Windmill's flow user state and resume URLs.
// waiter: registers its resume URL, then reads the poster's mail; if the mail is there it resumes
//         itself with it (the poster came first), else the poster will resume it.
// poster: leaves its mail, then reads the waiter's URL; if the waiter registered, it resumes the
//         waiter with the mail; it always resumes itself.
// Write first, read second, on both sides: whatever the order, the waiter is resumed.
export async function main(iter: { index: number; value: "waiter" | "poster" }, state_job: string) {
  const role = iter.value; // only flow_input.iter is native (iter.value needs V8)
  const workspace = process.env.WM_WORKSPACE!;
  const get = (key: string) => wmill.JobService.getFlowUserState({ workspace, id: state_job, key });
  const set = (key: string, value: unknown) => wmill.JobService.setFlowUserState({ workspace, id: state_job, key, requestBody: value });
  const post = async (url: string, payload: unknown) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    const text = await res.text();
    if (!res.ok && !/already sent/.test(text)) throw new Error(`resume failed: ${res.status} ${text}`);
  };
  const own = (await wmill.getResumeUrls()).resume;
  if (role === "waiter") {
    await set("url.waiter", own);
    const mail = await get("mail");
    if (mail) await post(own, mail);
  } else {
    await set("mail", { from: "poster" });
    const url = (await get("url.waiter")) as string | null;
    if (url) await post(url, { from: "poster" });
    await post(own, { from: "self" });
  }
  return { role };
}

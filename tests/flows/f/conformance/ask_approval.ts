import * as wmill from "windmill-client";

// The script of an approval step: returns Windmill's resume URLs and what pre-fills the form.
export async function main(question = "Proceed?", recommended = "yes") {
  const urls = await wmill.getResumeUrls("reviewer");
  return { ...urls, default_args: { answer: recommended }, description: { markdown: `**${question}**` } };
}

import * as wmill from "windmill-client";

// An approval step shaped like spec_to_tasks' clarification: a fixed form (Q1..Q3) of which only
// the open questions matter, each with lettered options and a recommended answer pre-filled.
export async function main() {
  const urls = await wmill.getResumeUrls();
  const questions = [
    {
      id: "Q1",
      question: "Which colour?",
      options: [
        { key: "A", answer: "Red" },
        { key: "B", answer: "Blue" },
      ],
      recommended: "Red",
    },
  ];
  return { ...urls, default_args: { Q1: "Red" }, questions, description: { markdown: "**Q1**: Which colour? A) Red B) Blue" } };
}

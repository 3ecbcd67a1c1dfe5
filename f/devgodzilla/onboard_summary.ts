// Shows the onboarding result in the Windmill run page: the summary as markdown, then the data.
export async function main(onboard: { markdown?: string; [key: string]: unknown }) {
  const { markdown, ...data } = onboard ?? {};
  return { render_all: [{ markdown: markdown ?? "Onboarding finished." }, data] };
}

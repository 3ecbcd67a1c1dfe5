import * as wmill from "windmill-client";

// Claims a path once with a Windmill `state` resource (create fails when it exists), as the webhook does.
export async function main(path: string) {
  const workspace = process.env.WM_WORKSPACE!;
  const R = wmill.ResourceService;
  let claimed = true;
  try {
    await R.createResource({ workspace, requestBody: { path, value: { n: 1 }, resource_type: "state" } });
  } catch {
    claimed = false;
  }
  if (claimed) await R.updateResourceValue({ workspace, path, requestBody: { value: { n: 2 } } });
  return {
    claimed,
    exists: await R.existsResource({ workspace, path }),
    value: await wmill.getResource(path),
    listed: (await R.listResource({ workspace, resourceType: "state" })).map((r) => r.path),
  };
}

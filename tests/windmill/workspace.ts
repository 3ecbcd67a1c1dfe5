// Removing what a test pushed into the live workspace.
import type { WindmillServer } from "../../scripts/windmill/api.ts";

/**
 * Removes the schedules, flows and scripts under `prefix` from the workspace. Scripts are archived
 * before they are deleted: archiving drops their entries in Windmill's import map (deleting does
 * not), and a stale entry makes Windmill re-lock the new version of an importer as soon as a module
 * it imports is pushed. Lock jobs still queued for them (an earlier deploy's re-locking) are canceled.
 */
export async function removeUnder(server: WindmillServer, prefix: string): Promise<void> {
  const list = (kind: string, extra = "") => server.call<{ path: string }[]>("GET", `w/${kind}/list?path_start=${prefix}&per_page=10000${extra}`);
  const queued = await server.call<{ id: string; script_path?: string }[]>("GET", "w/jobs/queue/list?job_kinds=dependencies,flowdependencies&per_page=10000");
  for (const j of queued.filter((q) => q.script_path?.startsWith(prefix)))
    await server.call("POST", `w/jobs/queue/cancel/${j.id}`, { reason: "test:windmill: pushed again" }).catch(() => undefined);
  for (const s of await list("schedules")) await server.call("DELETE", `w/schedules/delete/${s.path}`);
  for (const f of await list("flows")) await server.call("DELETE", `w/flows/delete/${f.path}`);
  for (const s of await list("scripts", "&include_without_main=true")) {
    await server.call("POST", `w/scripts/archive/p/${s.path}`);
    await server.call("POST", `w/scripts/delete/p/${s.path}`);
  }
}

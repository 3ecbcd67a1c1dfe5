// `npm run deploy [-- --skip-triggers]`: see deploy.ts. One line per problem, exit 1, nothing pushed.
import { deploy } from "./deploy.ts";
import { targetFromEnv, WindmillSetupError } from "./api.ts";

const target = targetFromEnv();
if ("missing" in target) {
  process.stderr.write(
    `deploy: set ${target.missing.join(", ")} (the Windmill base URL, an admin token of the workspace, the workspace id) — see README "Run it on Windmill"\n`,
  );
  process.exit(1);
}
try {
  const r = await deploy(target, { skipTriggers: process.argv.includes("--skip-triggers") });
  if (r.checkout_changed.length) {
    process.stderr.write(
      `deploy: wmill wrote into the checkout (${r.checkout_changed.join(", ")}) — the committed metadata is not what this CLI expects; run \`npm run gen:metadata\`\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `deployed ${r.modules} modules in ${r.pushes} pushes to Windmill ${r.server_version}${r.skipped_triggers ? " (HTTP routes left out)" : ""}\n`,
  );
} catch (e) {
  process.stderr.write(`deploy: ${e instanceof WindmillSetupError ? e.message : (e as Error).message}\n`);
  process.exit(1);
}

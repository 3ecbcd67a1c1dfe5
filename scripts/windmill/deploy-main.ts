// `npm run deploy [-- --skip-triggers]`: see deploy.ts. One line per problem; exit 2 when a check
// before pushing stopped it (nothing pushed), 1 when a push failed.
import { deployCommand } from "./deploy.ts";

process.exit(await deployCommand({ argv: process.argv.slice(2) }));

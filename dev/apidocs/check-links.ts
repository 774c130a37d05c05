/**
 * Checks every relative link in the repository's Markdown files (see
 * links.ts); prints the broken ones as `file:line: url (reason)` and exits 1
 * when there are any. `npm run docs:api:check` runs it beside the build, and
 * it runs alone as `npx tsx dev/apidocs/check-links.ts`.
 */
import { fileURLToPath } from "node:url";
import { checkLinks, formatBroken, repoMarkdownFiles } from "./links.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const files = repoMarkdownFiles(root);
const broken = checkLinks(root, files);
if (broken.length > 0) console.error(formatBroken(broken));
console.log(`links: ${files.length} Markdown files, ${broken.length} broken links`);
process.exit(broken.length === 0 ? 0 : 1);

// A Next.js app that uses aivideo with no configuration for it (tests/frameworks/next): the
// repository's node_modules hold next and react, so Turbopack's root is the repository.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
export default { turbopack: { root }, outputFileTracingRoot: root };

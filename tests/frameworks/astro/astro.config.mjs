// An Astro app that uses aivideo with no configuration for it (tests/frameworks/astro): server
// output on the Node adapter, the proxy mounted as an endpoint on the app's own site.
import node from "@astrojs/node";

export default { output: "server", adapter: node({ mode: "standalone" }), telemetry: false };

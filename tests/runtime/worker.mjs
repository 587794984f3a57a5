// workerd leg of the runtime matrix: the package's workerd entry, loaded as Workers load it.
import * as lib from "aivideo";
import * as validate from "aivideo/validate";
import { runSuite } from "./suite.mjs";
import { runValidateSuite, merged } from "./validate-suite.mjs";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("ok");
    const sim = url.searchParams.get("sim");
    const r = merged(await runSuite(lib, sim), runValidateSuite(validate, lib));
    return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
  },
};

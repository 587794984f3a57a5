// What the demo page's modules share: its configuration (the proxy's URL and the simulator's
// time scale, from the demo backend), the contract's models, and the page state. Must not:
// touch the DOM.
import { describeModels } from "/pkg/index.js";

const config = await (await fetch("./config.json")).json().catch(() => ({}));
export const proxyUrl = config.proxyUrl || location.origin;
export const timeScale = config.timeScale || 1;
export const models = describeModels();

export const state = { model: null, touched: new Set(), submitTried: false, running: false, images: {}, session: null, client: null, quoteSeq: 0 };

// The same API in every runtime; the module is initialized on import.
export * from "./aivideo.js";

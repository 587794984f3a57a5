// aivideo/validate required from CommonJS. Prints one JSON line.
const validate = require("aivideo/validate");

import("./checks.js").then(({ checks }) => console.log(JSON.stringify(checks(validate, "commonjs require (aivideo/validate)"))));

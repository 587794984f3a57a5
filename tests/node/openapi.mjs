// The vendor's OpenAPI schemas, compiled with ajv, to check what the simulator sends.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const doc = JSON.parse(readFileSync(new URL("../../../shared/vendor/aivideomaker-openapi-1.0.15.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi");

export function schemaErrors(name, value) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

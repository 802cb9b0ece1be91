// Validates SARIF logs against the SARIF 2.1.0 JSON schema, then against what GitHub code
// scanning needs beyond the schema. Usage: node validate.mjs FILE.sarif...
// Prints one line per file; exits 1 if any file is invalid.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, "sarif-schema-2.1.0.json"), "utf8"));
// The SARIF schema has been published as draft-07 and, in the copy shipped with the SARIF
// multitool that is vendored here, as 2020-12: use the Ajv class for the draft it declares.
const Validator = String(schema.$schema).includes("2020-12") ? Ajv2020 : Ajv;
const ajv = new Validator({ allErrors: true, strict: false });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

// GitHub code scanning's rules (docs: "SARIF support for code scanning"): what it reads
// from every result, beyond what the schema makes optional.
function githubProblems(log) {
  const problems = [];
  if (log.version !== "2.1.0") problems.push(`version is ${log.version}, not 2.1.0`);
  if (!Array.isArray(log.runs) || log.runs.length !== 1) problems.push("expected exactly one run");
  for (const run of log.runs ?? []) {
    const driver = run.tool?.driver ?? {};
    if (driver.name !== "journey") problems.push("tool.driver.name is not journey");
    // informationUri is optional: set it with -DJOURNEY_INFORMATION_URI=... where the project lives.
    for (const key of ["version"]) {
      if (!driver[key]) problems.push(`tool.driver.${key} is missing`);
    }
    if (run.columnKind !== "unicodeCodePoints") problems.push("run.columnKind is not unicodeCodePoints");
    const ids = new Set();
    for (const rule of driver.rules ?? []) {
      if (ids.has(rule.id)) problems.push(`rule ${rule.id} listed twice`);
      ids.add(rule.id);
      if (!rule.shortDescription?.text) problems.push(`rule ${rule.id} has no shortDescription`);
      if (!["error", "warning", "note"].includes(rule.defaultConfiguration?.level)) {
        problems.push(`rule ${rule.id} has no defaultConfiguration.level`);
      }
    }
    (run.results ?? []).forEach((result, i) => {
      const where = `result ${i} (${result.ruleId})`;
      if (!ids.has(result.ruleId)) problems.push(`${where}: ruleId is not a rule of the driver`);
      if (result.ruleIndex !== undefined && driver.rules?.[result.ruleIndex]?.id !== result.ruleId) {
        problems.push(`${where}: ruleIndex does not point at its rule`);
      }
      if (!result.message?.text) problems.push(`${where}: no message.text`);
      if (!result.locations?.length) problems.push(`${where}: no locations`);
      const locations = [...(result.locations ?? []), ...(result.relatedLocations ?? [])];
      for (const location of locations) {
        const physical = location.physicalLocation;
        if (!physical) continue;
        const uri = physical.artifactLocation?.uri ?? "";
        if (!uri) problems.push(`${where}: a location without artifactLocation.uri`);
        if (uri.includes("\\")) problems.push(`${where}: backslash in ${uri}`);
        if (physical.artifactLocation?.uriBaseId !== undefined && /^[a-z]+:|^\//i.test(uri)) {
          problems.push(`${where}: ${uri} is absolute but has a uriBaseId`);
        }
        if (!(physical.region?.startLine >= 1)) problems.push(`${where}: no region.startLine`);
      }
      const related = new Set();
      for (const location of result.relatedLocations ?? []) {
        if (!Number.isInteger(location.id) || related.has(location.id)) {
          problems.push(`${where}: related location ids must be unique integers`);
        }
        related.add(location.id);
      }
    });
  }
  return problems;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  let log;
  try {
    log = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.log(`${file}: not JSON: ${error.message}`);
    failed = true;
    continue;
  }
  const problems = [];
  if (!validateSchema(log)) {
    for (const error of validateSchema.errors) {
      problems.push(`schema: ${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
  problems.push(...githubProblems(log));
  if (problems.length > 0) {
    failed = true;
    console.log(`${file}: INVALID`);
    for (const problem of problems.slice(0, 50)) console.log(`  ${problem}`);
  } else {
    const results = log.runs.reduce((n, run) => n + (run.results?.length ?? 0), 0);
    console.log(`${file}: valid SARIF 2.1.0, ${results} results`);
  }
}
process.exit(failed ? 1 : 0);

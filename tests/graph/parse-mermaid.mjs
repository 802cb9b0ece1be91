// Parses each Mermaid file given with Mermaid's own parser (mermaid.parse), in a jsdom window
// since Mermaid expects a browser. Prints one line per file; exits 1 if any fails to parse.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    if (!result || result.diagramType !== 'flowchart-v2') {
      throw new Error(`not a flowchart: ${result && result.diagramType}`);
    }
    console.log(`ok ${file}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${file}: ${String(error.message || error).slice(0, 800)}`);
  }
}
process.exit(failed === 0 ? 0 : 1);

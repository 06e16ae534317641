// Parses Mermaid diagrams with the real `mermaid` package (pinned devDependency), in a DOM from
// jsdom, since mermaid's parser sanitizes labels with DOMPurify, which needs a window.
// Input (stdin): a JSON array of diagram texts. Output (stdout): a JSON array, one entry per
// diagram: { ok: true, type } or { ok: false, error }.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e.message ?? e).split('\n').slice(0, 3).join(' ') });
  }
}
process.stdout.write(JSON.stringify(results));

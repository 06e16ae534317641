/**
 * Markdown encoders for generated documents (`SECRETS.md`): text from the topology is
 * written as inline code that renders exactly as given and cannot end a table cell, a
 * row or the code span early.
 */

/** Control characters (line breaks included) are shown as JSON escapes (`\n`), never written raw. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

/**
 * `text` as a CommonMark code span: fenced with one backtick more than the longest run
 * inside it, padded with a space where it starts or ends with a backtick (or a space).
 * In a GFM table cell (`inTable`), `|` is written `\|`: GFM splits cells before it parses
 * code spans, and renders `\|` inside a code span as `|`.
 * @see https://spec.commonmark.org/0.31.2/#code-spans
 * @see https://github.github.com/gfm/#tables-extension-
 */
export function markdownCode(text: string, options: { readonly inTable?: boolean } = {}): string {
  let body = visible(text);
  if (options.inTable) body = body.replace(/\|/g, '\\|');
  const longest = (body.match(/`+/g) ?? []).reduce((max, run) => Math.max(max, run.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(body) && body.trim() !== '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * `text` as one POSIX shell word: unchanged when it holds only characters the shell never
 * interprets, otherwise single-quoted (a `'` inside written as `'\''`).
 */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Encoding literal text for Go's `text/template`, the engine of External Secrets Operator
 * templates (engine v2): a value that lands in a template must never reach the engine as an
 * action.
 */

/** The action that prints a literal `{{` (a raw string constant; it holds no backtick). */
const LITERAL_OPEN = '{{`{{`}}';

/**
 * Text that a Go template prints exactly as given: every `{{` (the only sequence that opens
 * an action; `}}` outside an action is plain text) becomes an action printing `{{`.
 * @see https://pkg.go.dev/text/template#hdr-Text_and_spaces
 */
export function goTemplateLiteral(text: string): string {
  return text.split('{{').join(LITERAL_OPEN);
}

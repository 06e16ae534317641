/**
 * URL checks for the topology's URLs: parsed with the WHATWG `URL` parser, and accepted only
 * in the plain form that can be pasted into any format (kubeconfig, YAML, templates,
 * Markdown) without changing meaning.
 */

/**
 * Characters a plain URL may contain: unreserved characters, `%` escapes, `/`, `:`, and the
 * brackets of an IPv6 literal. Everything else (whitespace, quotes, `{}`, `|`, `` ` ``, `@`,
 * `?`, `#` …) either changes what the URL means or breaks the format it is written into.
 */
const PLAIN_URL_CHARACTERS = /^[A-Za-z0-9\-._~%/:[\]]+$/;

/** Schemes each kind of URL may use. */
export type UrlKind = 'api-server' | 'chart-repository' | 'git';

const SCHEMES: Readonly<Record<UrlKind, readonly string[]>> = {
  'api-server': ['https'],
  'chart-repository': ['https', 'oci'],
  git: ['https', 'ssh', 'oci'],
};

/** The scp-like Git form `git@host:path` (Argo CD takes it; Flux needs `ssh://`). */
const SCP_LIKE = /^git@([A-Za-z0-9.-]+):([A-Za-z0-9\-._~/]+)$/;

/**
 * Returns why `value` is not a plain URL of `kind`, or `undefined` when it is:
 * `<scheme>://host[:port][/path]`, with no user (but `git@` for `ssh://`), query, fragment,
 * whitespace or other character outside {@link PLAIN_URL_CHARACTERS}, and already in the
 * normal form the WHATWG parser gives it (lowercase host, no default port, no `..`).
 */
export function urlProblem(value: string, kind: UrlKind): string | undefined {
  const schemes = SCHEMES[kind];
  const form = `must be a plain ${schemes.map((s) => `${s}://`).join(' or ')} URL: ${schemes[0]}://host[:port][/path]`;
  if (kind === 'git' && SCP_LIKE.test(value)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(value)?.[1];
  if (!scheme || !schemes.includes(scheme)) return form;
  // ssh:// may name the Git user; nothing else may carry credentials.
  const rest = scheme === 'ssh' ? value.replace(/^ssh:\/\/git@/, 'ssh://') : value;
  const bad = [...rest].find((ch) => !PLAIN_URL_CHARACTERS.test(ch));
  if (bad !== undefined) {
    const what = /\s/.test(bad) ? 'whitespace or a line break' : bad === '@' ? 'a user name or password' : bad === '?' ? 'a query' : bad === '#' ? 'a fragment' : `the character ${JSON.stringify(bad)}`;
    return `${form}, without ${what}`;
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    return `${form} (the URL parser refuses it)`;
  }
  if (!url.hostname) return `${form}: the host is missing`;
  if (url.href !== rest && url.href !== `${rest}/`) {
    const normal = scheme === 'ssh' && rest !== value ? url.href.replace(/^ssh:\/\//, 'ssh://git@') : url.href;
    return `${form}, in normal form (lowercase host, no default port, no . or .. segments): write ${JSON.stringify(normal)}`;
  }
  return undefined;
}

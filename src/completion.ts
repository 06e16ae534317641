/**
 * `meshfleet completion bash|zsh`: shell completion scripts, generated from the commands'
 * own definitions so they never drift from the parser.
 */

/** What an option's value completes to. */
export type CompletionValue = 'file' | 'directory' | 'word';

/** One option of a command, as completion sees it. */
export interface CompletionOption {
  /** Every spelling, e.g. `['-o', '--output']`. */
  readonly flags: readonly string[];
  /** One-line description (shown by zsh). */
  readonly description: string;
  /** What the option's value is; absent for a flag without a value. */
  readonly value?: CompletionValue;
  /** The values a `word` option accepts. */
  readonly choices?: readonly string[];
}

/** One command, as completion sees it. */
export interface CompletionCommand {
  readonly name: string;
  readonly description: string;
  readonly options: readonly CompletionOption[];
  /** The values the command's one positional argument accepts, if any. */
  readonly argumentChoices?: readonly string[];
}

/** The shells `meshfleet completion` writes scripts for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The completion script for `program` in `shell`. */
export function completionScript(shell: CompletionShell, program: string, commands: readonly CompletionCommand[]): string {
  return shell === 'bash' ? bashScript(program, commands) : zshScript(program, commands);
}

function fn(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function bashScript(program: string, commands: readonly CompletionCommand[]): string {
  const valueCases = new Map<string, string>();
  for (const option of commands.flatMap((c) => c.options)) {
    if (!option.value) continue;
    const action =
      option.value === 'file' ? 'compgen -f -- "$cur"' : option.value === 'directory' ? 'compgen -d -- "$cur"' : `compgen -W "${(option.choices ?? []).join(' ')}" -- "$cur"`;
    // A free-form word (a cluster name) completes to nothing rather than to a flag.
    valueCases.set(option.flags.join('|'), action);
  }
  const commandCases = commands.map((c) => {
    const flags = c.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--')));
    const words = c.argumentChoices?.length ? `COMPREPLY=($(compgen -W "${c.argumentChoices.join(' ')}" -- "$cur"))` : ':';
    return `    ${c.name}) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${flags.join(' ')}" -- "$cur")); else ${words}; fi ;;`;
  });
  return `# ${program} bash completion. Load it with:  source <(${program} completion bash)
${fn(program)}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur"))
    return
  fi
  case "$prev" in
${[...valueCases].map(([flags, action]) => `    ${flags}) COMPREPLY=($(${action})); return ;;`).join('\n')}
  esac
  case "\${COMP_WORDS[1]}" in
${commandCases.join('\n')}
  esac
}
complete -o default -F ${fn(program)} ${program}
`;
}

function zshQuote(text: string): string {
  return text.replace(/'/g, "'\\''").replace(/[[\]:]/g, '\\$&');
}

function zshScript(program: string, commands: readonly CompletionCommand[]): string {
  const describe = commands.map((c) => `    '${c.name}:${zshQuote(c.description)}'`).join('\n');
  const cases = commands.map((c) => {
    const specs = c.options.map((o) => {
      const names = o.flags.length > 1 ? `'(${o.flags.join(' ')})'{${o.flags.join(',')}}` : `'${o.flags[0]}`;
      const open = o.flags.length > 1 ? "'" : '';
      const value =
        o.value === 'file' ? ':file:_files' : o.value === 'directory' ? ':directory:_files -/' : o.value === 'word' ? (o.choices ? `:value:(${o.choices.join(' ')})` : ':value: ') : '';
      const repeat = o.flags.includes('--cluster') ? '*' : '';
      return `        ${repeat ? `'*${o.flags[0]}` : `${names}${open}`}[${zshQuote(o.description)}]${value}'`;
    });
    if (c.argumentChoices) specs.push(`        ':${c.name}:(${c.argumentChoices.join(' ')})'`);
    return `    ${c.name})\n      _arguments -s \\\n${specs.join(' \\\n')}\n      ;;`;
  });
  return `#compdef ${program}
# ${program} zsh completion. Load it with:  source <(${program} completion zsh)
${fn(program)}() {
  local -a commands
  commands=(
${describe}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  words=(\${words[2,-1]})
  (( CURRENT-- ))
  case $words[1] in
${cases.join('\n')}
  esac
}
if [ "$funcstack[1]" = "${fn(program)}" ]; then ${fn(program)} "$@"; else compdef ${fn(program)} ${program}; fi
`;
}

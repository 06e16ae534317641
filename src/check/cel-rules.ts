/**
 * Evaluation of CRD `x-kubernetes-validations` rules with a real CEL implementation
 * (@bufbuild/cel, with RE2 `matches()` as the API server uses), on create.
 *
 * Bindings follow the API server's type mapping
 * (https://kubernetes.io/docs/reference/using-api/cel/#type-checking): `integer` (and
 * integral int-or-string values) become CEL `int`, `number` becomes `double`, objects
 * and maps become CEL maps, arrays lists. On top of CEL's standard library and the
 * strings extension, the Kubernetes URL library (`url()`, `isURL()`, `getScheme()` ...)
 * is provided. A rule that uses anything else fails to evaluate and is reported, never
 * passed: see {@link CelOutcome}.
 *
 * Transition rules (those that read `oldSelf`) only apply on update; on create the API
 * server skips them, and so does this evaluator (reporting that it did).
 */
import { celEnv, celFunc, celMethod, CelScalar, isCelError, mapType, parse, plan, type CelEnv, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { SchemaNode } from './schema-bundle';

/** What one rule did to one value. */
export type CelOutcome =
  | { readonly kind: 'violated'; readonly message: string }
  | { readonly kind: 'unevaluable'; readonly message: string }
  | { readonly kind: 'skipped'; readonly message: string };

/** A rule outcome at a field path (`spec.servers[0].tls`). */
export interface CelProblem {
  readonly path: string;
  readonly rule: string;
  readonly outcome: CelOutcome;
}

const URL_TYPE = mapType(CelScalar.STRING, CelScalar.STRING);

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The Kubernetes CEL URL library, https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-url-library */
function urlLibrary() {
  const part = (name: string) =>
    celMethod(name, URL_TYPE, [], CelScalar.STRING, function (this: any) {
      return String(this.get(name) ?? '');
    });
  const url = celFunc('url', [CelScalar.STRING], URL_TYPE, (text: string) => {
    const u = parseUrl(text);
    if (!u) throw new Error(`url: invalid URL ${JSON.stringify(text)}`);
    return new Map([
      ['getScheme', u.protocol.replace(/:$/, '')],
      ['getHost', u.host],
      ['getHostname', u.hostname.replace(/^\[|\]$/g, '')],
      ['getPort', u.port],
      ['getEscapedPath', u.pathname],
      ['getQuery', u.search.replace(/^\?/, '')],
    ]) as unknown as CelInput;
  });
  return [
    url,
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (text: string) => parseUrl(text) !== undefined),
    ...['getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath', 'getQuery'].map(part),
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value as the API server binds it to CEL, driven by its schema. */
export function toCelValue(value: unknown, schema: SchemaNode | undefined): CelInput {
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    const items = isRecord(schema?.items) ? (schema.items as SchemaNode) : undefined;
    return value.map((v) => toCelValue(v, items));
  }
  if (isRecord(value)) {
    const properties = isRecord(schema?.properties) ? (schema.properties as Record<string, SchemaNode>) : {};
    const additional = isRecord(schema?.additionalProperties) ? (schema.additionalProperties as SchemaNode) : undefined;
    return new Map(Object.entries(value).map(([k, v]) => [k, toCelValue(v, properties[k] ?? additional)])) as unknown as CelInput;
  }
  return value as CelInput;
}

type Program = ((ctx: Record<string, CelInput>) => unknown) | { error: string };

/**
 * Evaluates `x-kubernetes-validations` rules; holds the compiled programs of the rules
 * it has seen (one instance per `check` run).
 */
export class CelRuleEvaluator {
  private readonly env: CelEnv;
  private readonly programs = new Map<string, Program>();
  /** Whether a schema node or any node below it carries rules (walks skip rule-free subtrees). */
  private readonly ruled = new WeakMap<object, boolean>();

  constructor() {
    this.env = celEnv({ funcs: [...strings, ...urlLibrary()] });
  }

  /** Every rule of every node of `schema` that `value` breaks, cannot be evaluated or skips. */
  public problems(value: unknown, schema: SchemaNode, path = ''): CelProblem[] {
    const out: CelProblem[] = [];
    this.walk(value, schema, path, out);
    return out;
  }

  private hasRules(schema: SchemaNode): boolean {
    let known = this.ruled.get(schema);
    if (known === undefined) {
      this.ruled.set(schema, false); // guards against cycles while computing
      const children = [
        ...Object.values(isRecord(schema.properties) ? schema.properties : {}),
        schema.items,
        schema.additionalProperties,
      ].filter(isRecord) as SchemaNode[];
      known = Array.isArray(schema['x-kubernetes-validations']) || children.some((c) => this.hasRules(c));
      this.ruled.set(schema, known);
    }
    return known;
  }

  private walk(value: unknown, schema: SchemaNode, path: string, out: CelProblem[]): void {
    if (value === undefined || value === null || !this.hasRules(schema)) return;
    const rules = schema['x-kubernetes-validations'];
    if (Array.isArray(rules)) {
      for (const rule of rules) {
        if (!isRecord(rule) || typeof rule.rule !== 'string') continue;
        const outcome = this.evaluate(rule, value, schema);
        if (outcome) out.push({ path: joinPath(path, rule.fieldPath), rule: rule.rule, outcome });
      }
    }
    if (Array.isArray(value) && isRecord(schema.items)) {
      value.forEach((item, i) => this.walk(item, schema.items as SchemaNode, `${path}[${i}]`, out));
    } else if (isRecord(value)) {
      const properties = isRecord(schema.properties) ? (schema.properties as Record<string, SchemaNode>) : {};
      const additional = isRecord(schema.additionalProperties) ? (schema.additionalProperties as SchemaNode) : undefined;
      for (const [key, child] of Object.entries(value)) {
        const childSchema = properties[key] ?? additional;
        if (childSchema) this.walk(child, childSchema, properties[key] ? joinKey(path, key) : `${path}[${JSON.stringify(key)}]`, out);
      }
    }
  }

  private evaluate(rule: Record<string, unknown>, value: unknown, schema: SchemaNode): CelOutcome | undefined {
    const text = rule.rule as string;
    if (/\boldSelf\b/.test(text)) {
      return { kind: 'skipped', message: `transition rule not evaluated on create: ${text}` };
    }
    const program = this.program(text);
    if ('error' in program) return { kind: 'unevaluable', message: `cannot evaluate rule ${JSON.stringify(text)}: ${program.error}` };
    const result = program({ self: toCelValue(value, schema) });
    if (isCelError(result)) {
      return { kind: 'unevaluable', message: `cannot evaluate rule ${JSON.stringify(text)}: ${(result as { message: string }).message}` };
    }
    if (result === true) return undefined;
    if (result !== false) return { kind: 'unevaluable', message: `rule ${JSON.stringify(text)} did not return a bool` };
    return { kind: 'violated', message: this.message(rule, value, schema) };
  }

  /** The rule's message: messageExpression when it evaluates to a string, else message, else the API server's default. */
  private message(rule: Record<string, unknown>, value: unknown, schema: SchemaNode): string {
    if (typeof rule.messageExpression === 'string') {
      const program = this.program(rule.messageExpression);
      const result = 'error' in program ? undefined : program({ self: toCelValue(value, schema) });
      if (typeof result === 'string' && result !== '') return result;
    }
    if (typeof rule.message === 'string' && rule.message !== '') return rule.message;
    return `failed rule: ${rule.rule as string}`;
  }

  private program(text: string): Program {
    let program = this.programs.get(text);
    if (!program) {
      try {
        program = plan(this.env, parse(text)) as unknown as Program;
      } catch (e) {
        program = { error: (e as Error).message.split('\n')[0] };
      }
      this.programs.set(text, program);
    }
    return program;
  }
}

function joinKey(path: string, key: string): string {
  const safe = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : undefined;
  if (safe === undefined) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

function joinPath(path: string, fieldPath: unknown): string {
  if (typeof fieldPath !== 'string' || fieldPath === '') return path;
  return `${path}${fieldPath.startsWith('.') ? fieldPath : `.${fieldPath}`}`.replace(/^\./, '');
}

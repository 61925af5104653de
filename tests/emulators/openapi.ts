import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * Validates emulator traffic against the vendors' official OpenAPI 3.0 documents kept in
 * tests/specs (copied from the vendors' publications; see tests/specs/README.md). Every request our
 * connectors send and every response the emulators return goes through here; a mismatch
 * is recorded as a violation and fails the test that caused it.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');
export const SPECS_DIR = process.env.SPECS_DIR ?? path.resolve(REPO_ROOT, 'tests/specs');

// ajv-formats is CommonJS; under Node's ESM loader its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

interface MediaType {
  schema?: Json;
}

interface Operation {
  operationId?: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}

export interface SpecOperation {
  docId: string;
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  pathParamNames: string[];
  operation: Operation;
}

export interface RequestToCheck {
  method: string;
  /** Path relative to the spec's server URL (HubSpot: full path; Clio: after /api/v4). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  contentType?: string;
  body?: unknown;
}

/**
 * Known defects in a spec document, fixed narrowly and visibly so the rest of the
 * document stays authoritative. Each entry says what is patched and why.
 */
export interface SpecErratum {
  docId: string;
  why: string;
  apply: (doc: Json) => void;
}

function rewriteRefs(node: unknown, docId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, docId));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) {
      out[key] =
        key === '$ref' && typeof value === 'string' && value.startsWith('#')
          ? `${docId}${value}`
          : rewriteRefs(value, docId);
    }
    return out;
  }
  return node;
}

function loadDocument(file: string): Json {
  const text = readFileSync(file, 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Json;
}

function templateRegex(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]!);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { regex: new RegExp(`^${pattern}$`), names };
}

/** Turn a query/path string into the type its schema declares, or report why it cannot. */
function coerce(raw: string, schema: Json | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (type === 'number') return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

export class OpenApiValidator {
  readonly operations: SpecOperation[] = [];
  private readonly ajv: Ajv;
  private readonly docs = new Map<string, Json>();
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(files: string[], errata: SpecErratum[] = []) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    for (const file of files) {
      const docId = path.basename(file);
      const raw = loadDocument(file);
      for (const erratum of errata) if (erratum.docId === docId) erratum.apply(raw);
      const doc = rewriteRefs(raw, docId) as Json;
      this.docs.set(docId, doc);
      this.ajv.addSchema({ $id: docId, components: doc.components ?? {} } as Json, docId);
      for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
        const shared = (item.parameters ?? []) as Parameter[];
        for (const [method, op] of Object.entries(item)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          const operation = op as Operation;
          operation.parameters = [...shared, ...(operation.parameters ?? [])];
          const { regex, names } = templateRegex(template);
          this.operations.push({
            docId,
            method: method.toUpperCase(),
            template,
            operationId: operation.operationId ?? `${method} ${template}`,
            regex,
            pathParamNames: names,
            operation,
          });
        }
      }
    }
    // Literal segments win over templated ones (/contacts/search before /contacts/{id}).
    this.operations.sort((a, b) => a.pathParamNames.length - b.pathParamNames.length);
  }

  find(
    method: string,
    pathname: string,
  ): { op: SpecOperation; params: Record<string, string> } | null {
    for (const op of this.operations) {
      if (op.method !== method.toUpperCase()) continue;
      const m = op.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      op.pathParamNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { op, params };
    }
    return null;
  }

  private resolve<T>(docId: string, node: T | { $ref: string }): T {
    let current: unknown = node;
    for (let depth = 0; depth < 10; depth++) {
      const ref = (current as { $ref?: string } | undefined)?.$ref;
      if (!ref || !ref.includes('#/components/') || ref.includes('#/components/schemas/')) break;
      const [refDoc, pointer] = ref.split('#');
      const doc = this.docs.get(refDoc || docId);
      current = pointer!
        .split('/')
        .slice(1)
        .reduce<unknown>((acc, key) => (acc as Json | undefined)?.[key], doc);
    }
    return current as T;
  }

  private validator(schema: Json): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(schema);
      this.compiled.set(schema, fn);
    }
    return fn;
  }

  private check(schema: Json, value: unknown, where: string): string[] {
    const validate = this.validator(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
  }

  validateRequest(
    found: { op: SpecOperation; params: Record<string, string> },
    req: RequestToCheck,
  ): string[] {
    const { op, params } = found;
    const errors: string[] = [];
    const declared = (op.operation.parameters ?? []).map((p) =>
      this.resolve<Parameter>(op.docId, p),
    );
    const queryNames = new Set(declared.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of new Set(req.query.keys())) {
      if (!queryNames.has(name))
        errors.push(`query parameter "${name}" is not defined for ${op.operationId}`);
    }
    for (const p of declared) {
      if (p.in === 'query') {
        const values = req.query.getAll(p.name);
        if (values.length === 0) {
          if (p.required) errors.push(`query parameter "${p.name}" is required`);
          continue;
        }
        const schema = p.schema ?? {};
        if (schema.type === 'array') {
          const items = values
            .flatMap((v) => v.split(','))
            .map((v) => coerce(v, schema.items as Json));
          errors.push(...this.check(schema, items, `query.${p.name}`));
        } else {
          if (values.length > 1)
            errors.push(`query parameter "${p.name}" given ${values.length} times`);
          errors.push(...this.check(schema, coerce(values[0]!, schema), `query.${p.name}`));
        }
      } else if (p.in === 'path') {
        errors.push(
          ...this.check(p.schema ?? {}, coerce(params[p.name] ?? '', p.schema), `path.${p.name}`),
        );
      } else if (p.in === 'header') {
        const value = req.headers[p.name.toLowerCase()];
        if (value === undefined) {
          if (p.required) errors.push(`header "${p.name}" is required`);
        } else {
          errors.push(
            ...this.check(p.schema ?? {}, coerce(String(value), p.schema), `header.${p.name}`),
          );
        }
      }
    }
    const requestBody = op.operation.requestBody;
    const hasBody = req.body !== undefined;
    if (requestBody) {
      if (!hasBody) {
        if (requestBody.required) errors.push('request body is required');
      } else {
        const type = (req.contentType ?? '').split(';')[0]!.trim();
        const media = requestBody.content[type];
        if (!media) {
          errors.push(
            `content type "${type}" is not accepted (${Object.keys(requestBody.content).join(', ')})`,
          );
        } else if (media.schema) {
          errors.push(...this.check(media.schema, req.body, 'body'));
        }
      }
    } else if (hasBody && op.method !== 'GET') {
      errors.push('request body given but the operation takes none');
    }
    return errors;
  }

  /** Null when the status is not documented for the operation (no exact code, no default). */
  responseSchemaFor(
    op: SpecOperation,
    status: number,
    contentType: string,
  ): Json | null | 'undocumented' {
    const responses = op.operation.responses;
    const entry =
      responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!entry) return 'undocumented';
    const resolved = this.resolve<{ content?: Record<string, MediaType> }>(op.docId, entry);
    const content = resolved.content;
    if (!content) return null;
    const type = contentType.split(';')[0]!.trim();
    const media =
      content[contentType] ??
      Object.entries(content).find(([k]) => k.split(';')[0]!.trim() === type)?.[1] ??
      content['*/*'];
    return media?.schema ?? null;
  }

  validateResponse(
    op: SpecOperation,
    status: number,
    contentType: string,
    body: unknown,
  ): string[] {
    const schema = this.responseSchemaFor(op, status, contentType);
    if (schema === 'undocumented')
      return [`status ${status} is not documented for ${op.operationId}`];
    if (schema === null) {
      const content = this.resolve<{ content?: Record<string, MediaType> }>(
        op.docId,
        op.operation.responses[String(status)] ?? op.operation.responses.default!,
      ).content;
      return content && body !== undefined
        ? [`content type "${contentType}" is not documented for ${status} of ${op.operationId}`]
        : [];
    }
    return this.check(schema, body, 'response');
  }
}

export function specFiles(vendor: 'hubspot' | 'clio'): string[] {
  const dir = path.join(SPECS_DIR, vendor);
  const names =
    vendor === 'hubspot'
      ? [
          'calls.v3.json',
          'contacts.v3.json',
          'notes.v3.json',
          'tasks.v3.json',
          'communications.v3.json',
          'emails.v3.json',
          'owners.v3.json',
          'associations.v4.json',
          'oauth.v3.json',
        ]
      : [
          'clio-communications-api-openapi.yml',
          'clio-contacts-api-openapi.yml',
          'clio-notes-api-openapi.yml',
          'clio-tasks-api-openapi.yml',
          'clio-users-api-openapi.yml',
          'clio-phone-numbers-api-openapi.yml',
        ];
  return names.map((n) => path.join(dir, n));
}

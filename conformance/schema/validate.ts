/**
 * A small JSON Schema checker for the subset conformance/schema/*.json use:
 * type, const, enum, required, properties, additionalProperties, items,
 * pattern, minimum and local `$ref`s (`#/$defs/name`). Enough to check the
 * suite's own documents without another package; not a general validator.
 */

/** A schema node of the supported subset. */
export interface SchemaNode {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  pattern?: string;
  minimum?: number;
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "array":
      return Array.isArray(v);
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    default:
      return typeof v === type;
  }
}

/**
 * Returns the problems of `value` against `schema` (empty when valid), each
 * as `path: message`.
 *
 * @example
 * validate({ type: "integer", minimum: 1 }, 0); // ["$: 0 < minimum 1"]
 */
export function validate(schema: SchemaNode, value: unknown, root: SchemaNode = schema): string[] {
  const errors: string[] = [];
  const walk = (s: SchemaNode, v: unknown, path: string): void => {
    if (s.$ref) {
      const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
      const target = name ? root.$defs?.[name] : undefined;
      if (!target) errors.push(`${path}: unresolved $ref ${s.$ref}`);
      else walk(target, v, path);
      return;
    }
    if (s.type && !typeOk(s.type, v)) {
      errors.push(`${path}: expected ${s.type}, got ${JSON.stringify(v)?.slice(0, 40)}`);
      return;
    }
    if ("const" in s && v !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (s.pattern && typeof v === "string" && !new RegExp(s.pattern).test(v)) {
      errors.push(`${path}: ${JSON.stringify(v)} does not match ${s.pattern}`);
    }
    if (s.minimum !== undefined && typeof v === "number" && v < s.minimum) {
      errors.push(`${path}: ${v} < minimum ${s.minimum}`);
    }
    if (Array.isArray(v) && s.items) {
      const items = s.items;
      v.forEach((x, i) => {
        walk(items, x, `${path}[${i}]`);
      });
    }
    if (typeOk("object", v)) {
      const o = v as Record<string, unknown>;
      for (const k of s.required ?? []) if (!(k in o)) errors.push(`${path}: missing ${k}`);
      for (const [k, x] of Object.entries(o)) {
        const p = s.properties?.[k];
        if (p) walk(p, x, `${path}.${k}`);
        else if (typeof s.additionalProperties === "object")
          walk(s.additionalProperties, x, `${path}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected ${k}`);
      }
    }
  };
  walk(schema, value, "$");
  return errors;
}

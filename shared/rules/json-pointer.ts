/**
 * JSON Pointers (RFC 6901) into a form: how template data names a field — in the declarative
 * form rules, in the contract text's placeholders and in error details — so the mini-program can
 * point at the very input, the same way ajv's `instancePath` does for schema errors.
 */

/** '/a/b~1c' → ['a', 'b/c']; '' → [] (the whole document). Throws on a pointer without the leading '/'. */
export const pointerTokens = (pointer: string): string[] => {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with '/': "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
};

/** The value at `pointer`, or undefined when any step is missing (never throws on data). */
export const getAt = (doc: unknown, pointer: string): unknown => {
  let cur: unknown = doc;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (cur !== null && typeof cur === 'object') {
      cur = Object.prototype.hasOwnProperty.call(cur, token) ? (cur as Record<string, unknown>)[token] : undefined;
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
};

/** Whether the form gave a value: not absent, null, '' or an empty list. */
export const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * What a condition on a field counts as yes — `[if /p]` in a contract text and `when` of a
 * requiredIf rule alike, so a clause and the rule requiring its details agree: a value given,
 * other than false and 0.
 */
export const truthy = (v: unknown): boolean => present(v) && v !== false && v !== 0;

/** '/items' + 2 + 'amountFen' → '/items/2/amountFen' (escaping the tokens). */
export const joinPointer = (base: string, ...tokens: Array<string | number>): string =>
  base + tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * An EventBridge event-pattern matcher, so the local bus routes exactly the events AWS would.
 *
 * Semantics follow what EventBridge (its open-source engine, event-ruler) does, not a tidier idea of it:
 * - a pattern is a tree of objects whose leaves are non-empty arrays of alternatives; a leaf matches
 *   when any alternative matches any scalar found at that path (event arrays are flattened);
 * - operators only see leaves: an object-valued field, an empty array or an empty object are as good
 *   as absent (`exists: true` does not match them), while `null` is a leaf that exists;
 * - a nested pattern object is offered to each element of an event array as a whole, so two fields
 *   must come from the same element;
 * - `.` in a key is a path separator on both sides (`{"a.b": …}` and `{"a": {"b": …}}` are one path);
 * - `$or` is expanded when the pattern is compiled, into alternatives that each copy what was written
 *   before it (a leaf written twice keeps the last write, as AWS does);
 * - types never coerce: the string "300" is not the number 300, `true` is not 1.
 * Invalid patterns throw `InvalidEventPatternError` with EventBridge's own reason text.
 */

/** Thrown for a pattern EventBridge would refuse with `InvalidEventPatternException`. */
export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

/** A limit was hit (combinations, nesting) rather than a malformed pattern: never retried without `$or`. */
class PatternTooComplexError extends InvalidEventPatternError {}

/** A compiled pattern: true when the event matches. */
export type EventMatcher = (event: object) => boolean;

type Scalar = string | number | boolean | null;

/** One alternative of a leaf's array: either an existence test or a test on one scalar value. */
type Alternative = { kind: 'exists'; exists: boolean } | { kind: 'value'; test: (value: Scalar) => boolean };

interface Leaf {
  readonly kind: 'leaf';
  readonly alternatives: readonly Alternative[];
}

interface PatternNode {
  readonly kind: 'node';
  readonly fields: Map<string, PatternNode | Leaf>;
}

interface Tree {
  root: PatternNode;
  /** A path was constrained both as a leaf and as an object: nothing can match this alternative. */
  unsatisfiable: boolean;
}

// AWS caps the sub-patterns a `$or` may expand to.
const MAX_OR_COMBINATIONS = 1000;
// A guard against pathological nesting (not an AWS rule; AWS documents no depth limit).
const MAX_DEPTH = 100;
// event-ruler refuses a wildcard set whose machine can be in more than this many wildcard states at once.
const WILDCARD_COMPLEXITY_LIMIT = 10;

const OR_KEY = '$or';
// Names reserved inside a `$or` branch: such a `$or` is not the OR operator.
const OR_RESERVED_KEYS = new Set([
  'anything-but', 'prefix', 'suffix', 'equals-ignore-case', 'numeric', 'exists', 'cidr', 'wildcard', 'exactly',
  '=', '<', '<=', '>', '>=',
]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** JSON equality: strings never equal numbers, booleans never equal numbers, 3.0e2 equals 300. */
const jsonEqual = (left: Scalar, right: Scalar): boolean => left === right;

// ---------------------------------------------------------------------------------------------
// Compilation: validation, `$or` expansion, leaf operators
// ---------------------------------------------------------------------------------------------

/**
 * Validates an EventBridge event pattern and compiles it into a matcher.
 * @throws InvalidEventPatternError when EventBridge would refuse the pattern.
 */
export const compilePattern = (pattern: unknown): EventMatcher => {
  if (!isPlainObject(pattern)) {
    throw new InvalidEventPatternError('Filter is not an object');
  }
  const product = orCombinationProduct(pattern, 0);
  if (product > MAX_OR_COMBINATIONS) {
    throw new PatternTooComplexError(`Event pattern contains more than ${MAX_OR_COMBINATIONS} rule combinations`);
  }
  let trees: Tree[];
  try {
    trees = compileTrees(pattern, true);
  } catch (error) {
    // EventBridge retries a pattern whose `$or` is not the operator with `$or` read as a field name.
    if (error instanceof PatternTooComplexError || !(error instanceof InvalidEventPatternError) || !containsOr(pattern)) {
      throw error;
    }
    trees = compileTrees(pattern, false);
  }
  const live = trees.filter((tree) => !tree.unsatisfiable).map((tree) => tree.root);
  return (event: object): boolean => isPlainObject(event) && live.some((root) => matchNode(event, root));
};

const compiledCache = new WeakMap<object, EventMatcher>();

/**
 * True when `event` matches `pattern`. Compiled patterns are cached per pattern object.
 * @throws InvalidEventPatternError when the pattern is invalid.
 */
export const matchesPattern = (pattern: unknown, event: object): boolean => {
  if (!isPlainObject(pattern)) {
    return compilePattern(pattern)(event);
  }
  let matcher = compiledCache.get(pattern);
  if (matcher === undefined) {
    matcher = compilePattern(pattern);
    compiledCache.set(pattern, matcher);
  }
  return matcher(event);
};

const containsOr = (node: unknown): boolean =>
  isPlainObject(node) && Object.entries(node).some(([key, value]) => key === OR_KEY || containsOr(value));

/** AWS's documented count: the product of the lengths of every `$or` array (an over-count for nested ones). */
const orCombinationProduct = (node: unknown, depth: number): number => {
  if (!isPlainObject(node) || depth > MAX_DEPTH) {
    return 1;
  }
  let product = 1;
  for (const [key, value] of Object.entries(node)) {
    if (key === OR_KEY && Array.isArray(value)) {
      product *= Math.max(value.length, 1);
      for (const member of value) {
        product *= orCombinationProduct(member, depth + 1);
      }
    } else if (isPlainObject(value)) {
      product *= orCombinationProduct(value, depth + 1);
    }
    if (product > MAX_OR_COMBINATIONS) {
      return product;
    }
  }
  return product;
};

const emptyNode = (): PatternNode => ({ kind: 'node', fields: new Map() });

const cloneNode = (node: PatternNode): PatternNode => ({
  kind: 'node',
  fields: new Map([...node.fields].map(([key, child]) => [key, child.kind === 'node' ? cloneNode(child) : child])),
});

const cloneTree = (tree: Tree): Tree => ({ root: cloneNode(tree.root), unsatisfiable: tree.unsatisfiable });

const compileTrees = (pattern: Record<string, unknown>, expandOr: boolean): Tree[] => {
  const trees: Tree[] = [{ root: emptyNode(), unsatisfiable: false }];
  compileObject(trees, [], pattern, expandOr, false, 0);
  return trees;
};

/** Compiles one pattern object into every alternative built so far (in place). */
const compileObject = (
  trees: Tree[],
  path: readonly string[],
  object: unknown,
  expandOr: boolean,
  insideOr: boolean,
  depth: number,
): void => {
  if (depth > MAX_DEPTH) {
    throw new PatternTooComplexError('Event pattern is nested too deeply');
  }
  if (!isPlainObject(object)) {
    throw new InvalidEventPatternError('Filter is not an object');
  }
  const entries = Object.entries(object);
  if (entries.length === 0) {
    throw new InvalidEventPatternError('Empty objects are not allowed');
  }
  // Keys are walked in document order: it decides which of two writes to one leaf survives.
  for (const [key, value] of entries) {
    if (key === OR_KEY && expandOr) {
      compileOr(trees, path, value, depth);
      continue;
    }
    if (insideOr && OR_RESERVED_KEYS.has(key)) {
      throw new InvalidEventPatternError(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    const childPath = [...path, ...key.split('.')];
    if (isPlainObject(value)) {
      compileObject(trees, childPath, value, expandOr, insideOr, depth + 1);
    } else if (Array.isArray(value)) {
      const leaf = compileLeaf(value);
      for (const tree of trees) {
        writeLeaf(tree, childPath, leaf);
      }
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
    }
  }
};

const compileOr = (trees: Tree[], path: readonly string[], members: unknown, depth: number): void => {
  if (!Array.isArray(members)) {
    throw new InvalidEventPatternError('It must be an Array followed with $or.');
  }
  const prefix = trees.map(cloneTree);
  trees.length = 0;
  for (const member of members) {
    if (!isPlainObject(member)) {
      throw new InvalidEventPatternError('Only JSON object is allowed in array of $or relationship.');
    }
    const forked = prefix.map(cloneTree);
    compileObject(forked, path, member, true, true, depth + 1);
    trees.push(...forked);
    if (trees.length > MAX_OR_COMBINATIONS) {
      throw new PatternTooComplexError(`Event pattern contains more than ${MAX_OR_COMBINATIONS} rule combinations`);
    }
  }
  if (members.length < 2) {
    throw new InvalidEventPatternError('There must have at least 2 Objects in $or relationship.');
  }
};

/** Records one leaf at `path`; a second write to the same leaf replaces the first (AWS's last-write-wins). */
const writeLeaf = (tree: Tree, path: readonly string[], leaf: Leaf): void => {
  let node = tree.root;
  for (const segment of path.slice(0, -1)) {
    const child = node.fields.get(segment);
    if (child === undefined) {
      const created = emptyNode();
      node.fields.set(segment, created);
      node = created;
    } else if (child.kind === 'leaf') {
      tree.unsatisfiable = true;
      return;
    } else {
      node = child;
    }
  }
  const last = path[path.length - 1] as string;
  if (node.fields.get(last)?.kind === 'node') {
    tree.unsatisfiable = true;
    return;
  }
  node.fields.set(last, leaf);
};

/** One leaf's array of alternatives. */
const compileLeaf = (values: readonly unknown[]): Leaf => {
  if (values.length === 0) {
    throw new InvalidEventPatternError('Empty arrays are not allowed');
  }
  const alternatives: Alternative[] = [];
  const wildcardTerms: WildcardTerm[] = [];
  for (const item of values) {
    if (isScalar(item)) {
      alternatives.push({ kind: 'value', test: (value) => jsonEqual(value, item) });
    } else if (isPlainObject(item)) {
      alternatives.push(compileExpression(item, wildcardTerms));
    } else {
      throw new InvalidEventPatternError('Match value must be String, number, true, false, or null');
    }
  }
  if (wildcardTerms.length > 0 && wildcardComplexity(wildcardTerms) > WILDCARD_COMPLEXITY_LIMIT) {
    throw new InvalidEventPatternError(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  return { kind: 'leaf', alternatives };
};

/** A match expression: exactly one operator key. */
const compileExpression = (expression: Record<string, unknown>, wildcardTerms: WildcardTerm[]): Alternative => {
  const keys = Object.keys(expression);
  const operator = keys[0];
  if (operator === undefined) {
    throw new InvalidEventPatternError('Match expression name not found');
  }
  const operand = expression[operator];
  // The operand is read before the arity, as AWS's streaming parser does.
  const alternative = compileOperator(operator, operand, JSON.stringify(expression), wildcardTerms);
  if (keys.length > 1) {
    throw new InvalidEventPatternError(
      operator === 'numeric' || operator === 'anything-but'
        ? 'Too many elements in numeric expression'
        : 'Only one key allowed in match expression',
    );
  }
  return alternative;
};

const compileOperator = (operator: string, operand: unknown, identity: string, wildcardTerms: WildcardTerm[]): Alternative => {
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.');
      }
      return { kind: 'exists', exists: operand };
    case 'exactly': {
      const expected = requireString(operand, 'exact match pattern must be a string');
      return { kind: 'value', test: (value) => value === expected };
    }
    case 'prefix':
    case 'suffix':
      return { kind: 'value', test: compileAffix(operator, operand) };
    case 'equals-ignore-case': {
      const expected = requireString(operand, 'equals-ignore-case match pattern must be a string');
      return { kind: 'value', test: (value) => typeof value === 'string' && equalsIgnoreCase(value, expected) };
    }
    case 'wildcard': {
      const glob = compileWildcard(operand);
      wildcardTerms.push({ identity, patterns: [operand as string] });
      return { kind: 'value', test: (value) => typeof value === 'string' && glob(value) };
    }
    case 'cidr': {
      const network = compileCidr(operand);
      return { kind: 'value', test: (value) => typeof value === 'string' && network(value) };
    }
    case 'numeric': {
      const test = compileNumeric(operand);
      return { kind: 'value', test: (value) => typeof value === 'number' && test(value) };
    }
    case 'anything-but': {
      const excluded = compileAnythingBut(operand, identity, wildcardTerms);
      return { kind: 'value', test: (value) => !excluded(value) };
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${operator}`);
  }
};

const requireString = (operand: unknown, message: string): string => {
  if (typeof operand !== 'string') {
    throw new InvalidEventPatternError(message);
  }
  return operand;
};

/**
 * `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. An empty operand is valid and
 * matches every string value (AWS matches affixes against the quoted value, so it means "is a string").
 */
const compileAffix = (operator: 'prefix' | 'suffix', operand: unknown): ((value: Scalar) => boolean) => {
  const atStart = operator === 'prefix';
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const inner = keys[0];
    if (inner === undefined) {
      throw new InvalidEventPatternError(`${operator === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
    }
    if (keys.length > 1) {
      throw new InvalidEventPatternError('Only one key allowed in match expression');
    }
    if (inner !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(`Unsupported ${operator} pattern: ${inner}`);
    }
    const affix = requireString(operand[inner], 'equals-ignore-case match pattern must be a string');
    return (value) => typeof value === 'string' && affixIgnoreCase(value, affix, atStart);
  }
  const affix = requireString(operand, `${operator} match pattern must be a string`);
  return (value) => typeof value === 'string' && (atStart ? value.startsWith(affix) : value.endsWith(affix));
};

// Case-insensitive comparisons accept either case of each character (lower- or upper-cased forms agree).
const equalsIgnoreCase = (value: string, expected: string): boolean =>
  value.toLowerCase() === expected.toLowerCase() || value.toUpperCase() === expected.toUpperCase();

const affixIgnoreCase = (value: string, affix: string, atStart: boolean): boolean => {
  const test = (v: string, a: string): boolean => (atStart ? v.startsWith(a) : v.endsWith(a));
  return test(value.toLowerCase(), affix.toLowerCase()) || test(value.toUpperCase(), affix.toUpperCase());
};

/**
 * `anything-but`: a string, a number, a list of strings or of numbers (not mixed), or one nested
 * `prefix` / `suffix` / `equals-ignore-case` / `wildcard` (a string or a list of strings).
 * Returns the predicate for what is excluded.
 */
const compileAnythingBut = (operand: unknown, identity: string, wildcardTerms: WildcardTerm[]): ((value: Scalar) => boolean) => {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const inner = keys[0];
    if (inner === undefined) {
      throw new InvalidEventPatternError('Anything-But expression name not found');
    }
    if (keys.length > 1) {
      throw new InvalidEventPatternError('Only one key allowed in match expression');
    }
    const candidates = anythingButNestedOperands(inner, operand[inner]);
    switch (inner) {
      case 'prefix':
        return (value) => typeof value === 'string' && candidates.some((c) => value.startsWith(c));
      case 'suffix':
        return (value) => typeof value === 'string' && candidates.some((c) => value.endsWith(c));
      case 'equals-ignore-case':
        return (value) => typeof value === 'string' && candidates.some((c) => equalsIgnoreCase(value, c));
      case 'wildcard': {
        const globs = candidates.map(compileWildcard);
        wildcardTerms.push({ identity, patterns: [...new Set(candidates)] });
        return (value) => typeof value === 'string' && globs.some((glob) => glob(value));
      }
      default:
        throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${inner}`);
    }
  }
  if (Array.isArray(operand)) {
    for (const value of operand) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InvalidEventPatternError('Inside anything but list, start|null|boolean is not supported.');
      }
    }
    const hasNumber = operand.some((v) => typeof v === 'number');
    const hasString = operand.some((v) => typeof v === 'string');
    if (operand.length === 0 || (hasNumber && hasString)) {
      throw new InvalidEventPatternError(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
      );
    }
    const excluded = operand as (string | number)[];
    return (value) => excluded.some((e) => jsonEqual(value, e));
  }
  if (typeof operand === 'string' || typeof operand === 'number') {
    return (value) => jsonEqual(value, operand);
  }
  throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
};

const anythingButNestedOperands = (inner: string, operand: unknown): string[] => {
  if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner)) {
    throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${inner}`);
  }
  const candidates: unknown[] = Array.isArray(operand) ? operand : [operand];
  if (candidates.length === 0) {
    // AWS accepts it and then fails evaluating; an exclusion of nothing would match every event.
    throw new InvalidEventPatternError('Empty arrays are not allowed');
  }
  for (const candidate of candidates) {
    if (typeof candidate === 'boolean' || candidate === null) {
      throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
    }
    if (inner === 'prefix' || inner === 'suffix') {
      if (typeof candidate !== 'string') {
        throw new InvalidEventPatternError('prefix/suffix match pattern must be a string');
      }
      if (candidate === '') {
        throw new InvalidEventPatternError('Null prefix/suffix not allowed');
      }
    } else if (inner === 'equals-ignore-case' && typeof candidate !== 'string') {
      throw new InvalidEventPatternError(
        'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
      );
    }
  }
  if (inner === 'wildcard') {
    candidates.forEach(validateWildcard);
  }
  return candidates as string[];
};

// --- numeric -----------------------------------------------------------------------------------

const NUMERIC_OPERATOR_NAMES: Record<string, string> = { '=': 'equals', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };
const numericToken = (value: unknown): string => {
  if (Array.isArray(value)) return '[';
  if (isPlainObject(value)) return '{';
  return String(value);
};

const numericThreshold = (name: string, value: unknown): number => {
  if (typeof value !== 'number') {
    throw new InvalidEventPatternError(`Value of ${name} must be numeric`);
  }
  if (!Number.isFinite(value)) {
    throw new InvalidEventPatternError(`Cannot compare number : ${value}`);
  }
  return value;
};

/**
 * `numeric`: one comparison, or a lower bound (`>`/`>=`) followed by an upper bound (`<`/`<=`).
 * Only JSON numbers match; 101.0 and 101 are the same number.
 */
const compileNumeric = (operand: unknown): ((value: number) => boolean) => {
  if (!Array.isArray(operand)) {
    throw new InvalidEventPatternError('Value of numeric must be an array.');
  }
  if (operand.length === 0) {
    throw new InvalidEventPatternError('Invalid member in numeric match: ]');
  }
  const first: unknown = operand[0];
  if (typeof first !== 'string') {
    throw new InvalidEventPatternError(`Invalid member in numeric match: ${numericToken(first)}`);
  }
  const firstName = NUMERIC_OPERATOR_NAMES[first];
  if (firstName === undefined) {
    throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${first}`);
  }
  const bottom = numericThreshold(firstName, operand[1]);
  const firstTest = comparison(first, bottom);
  if (operand.length <= 2) {
    return firstTest;
  }
  if (first !== '>' && first !== '>=') {
    throw new InvalidEventPatternError('Too many elements in numeric expression');
  }
  if (operand.length > 4) {
    throw new InvalidEventPatternError('Too many terms in numeric range expression');
  }
  const second: unknown = operand[2];
  if (typeof second !== 'string') {
    throw new InvalidEventPatternError(`Bad value in numeric range: ${numericToken(second)}`);
  }
  if (second !== '<' && second !== '<=') {
    throw new InvalidEventPatternError(`Bad numeric range operator: ${second}`);
  }
  const top = numericThreshold(second, operand[3]);
  if (!(bottom < top)) {
    throw new InvalidEventPatternError('Bottom must be less than top');
  }
  const secondTest = comparison(second, top);
  return (value) => firstTest(value) && secondTest(value);
};

const comparison = (operator: string, threshold: number): ((value: number) => boolean) => {
  switch (operator) {
    case '=':
      return (value) => value === threshold;
    case '>':
      return (value) => value > threshold;
    case '>=':
      return (value) => value >= threshold;
    case '<':
      return (value) => value < threshold;
    default:
      return (value) => value <= threshold;
  }
};

// --- cidr --------------------------------------------------------------------------------------

interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]+$/;

/** Parses a plain IPv4 (decimal octets, as AWS reads them) or IPv6 address; no zone ids, no dotted IPv6 tails. */
const parseIp = (text: string): IpAddress | undefined => {
  if (IPV4_SHAPE.test(text)) {
    let value = 0n;
    for (const octet of text.split('.')) {
      const n = Number(octet);
      if (octet.length > 3 || n > 255) return undefined;
      value = (value << 8n) | BigInt(n);
    }
    return { version: 4, value };
  }
  if (!text.includes(':') || !IPV6_SHAPE.test(text)) {
    return undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => g.length >= 1 && g.length <= 4) ? groups : undefined;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return { version: 6, value };
};

const compileCidr = (operand: unknown): ((value: string) => boolean) => {
  // The wrong operator name in this message is AWS's own.
  const text = requireString(operand, 'prefix match pattern must be a string');
  const slash = text.indexOf('/');
  const mask = slash < 0 ? '' : text.slice(slash + 1);
  if (slash < 0 || mask === '' || mask.includes('/')) {
    throw new InvalidEventPatternError("Malformed CIDR, one '/' required");
  }
  if (!/^[+-]?[0-9]+$/.test(mask) || Math.abs(Number(mask)) >= 2 ** 31) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer');
  }
  const bits = Number(mask);
  if (bits < 0) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must not be negative');
  }
  const addressText = text.slice(0, slash);
  const looksV4 = IPV4_SHAPE.test(addressText);
  const looksV6 = addressText.includes(':') && IPV6_SHAPE.test(addressText);
  if (!looksV4 && !looksV6) {
    throw new InvalidEventPatternError(`Nonstandard IP address: ${addressText}`);
  }
  const network = parseIp(addressText);
  if (network === undefined) {
    throw new InvalidEventPatternError(`Invalid IP address: ${addressText}`);
  }
  if (network.version === 4 && bits > 31) {
    throw new InvalidEventPatternError('IPv4 mask bits must be < 32');
  }
  if (network.version === 6 && bits > 127) {
    throw new InvalidEventPatternError('IPv6 mask bits must be < 128');
  }
  const width = network.version === 4 ? 32n : 128n;
  const hostBits = width - BigInt(bits);
  // Host bits set in the operand are floored, as AWS does (10.0.0.5/24 is 10.0.0.0/24).
  const base = (network.value >> hostBits) << hostBits;
  return (value) => {
    const address = parseIp(value);
    return address !== undefined && address.version === network.version && address.value >> hostBits << hostBits === base;
  };
};

// --- wildcard ----------------------------------------------------------------------------------

const STAR = -1;

/** Validates a wildcard operand: only `\*` and `\\` escapes, no consecutive `*`. */
const validateWildcard = (operand: unknown): void => {
  const text = requireString(operand, 'wildcard match pattern must be a string');
  const position = (index: number): number => Buffer.byteLength(text.slice(0, index), 'utf8') + 1;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(`Invalid escape character at pos ${position(i)}`);
      }
      i += 1;
    } else if (char === '*' && text[i + 1] === '*') {
      throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${position(i)}`);
    }
  }
};

/** Tokens of a valid wildcard operand: UTF-16 code units, with STAR for an unescaped `*`. */
const wildcardTokens = (text: string): number[] => {
  const tokens: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\') {
      i += 1;
      tokens.push(text.charCodeAt(i));
    } else if (text[i] === '*') {
      tokens.push(STAR);
    } else {
      tokens.push(text.charCodeAt(i));
    }
  }
  return tokens;
};

/** `*` matches any sequence (including none); linear-time glob matching, no regex backtracking. */
const compileWildcard = (operand: unknown): ((value: string) => boolean) => {
  validateWildcard(operand);
  const tokens = wildcardTokens(operand as string);
  return (value) => {
    let t = 0;
    let v = 0;
    let starAt = -1;
    let resumeAt = 0;
    while (v < value.length) {
      if (t < tokens.length && tokens[t] !== STAR && tokens[t] === value.charCodeAt(v)) {
        t += 1;
        v += 1;
      } else if (t < tokens.length && tokens[t] === STAR) {
        starAt = t;
        resumeAt = v;
        t += 1;
      } else if (starAt >= 0) {
        t = starAt + 1;
        resumeAt += 1;
        v = resumeAt;
      } else {
        return false;
      }
    }
    while (t < tokens.length && tokens[t] === STAR) {
      t += 1;
    }
    return t === tokens.length;
  };
};

interface WildcardTerm {
  /** Equal terms share machine states (their weight counts once). */
  identity: string;
  patterns: string[];
}

interface ComplexityState {
  literal: Map<number, number[]>;
  any: number[];
  weight: Set<string>;
  prefix: Map<number, number>;
  star: number;
}

const ANY_BYTE = 256;
const QUOTE = 0x22;

/**
 * event-ruler's measure of a wildcard set: the largest number of wildcard states a byte machine over
 * the quoted UTF-8 value can be in at once (weighted by distinct terms). The machine shares its
 * determinate prefix across patterns; after a wildcard, paths stay distinct.
 */
const wildcardComplexity = (terms: readonly WildcardTerm[]): number => {
  const newState = (): ComplexityState => ({ literal: new Map(), any: [], weight: new Set(), prefix: new Map(), star: 0 });
  const states: ComplexityState[] = [newState()];
  const state = (id: number): ComplexityState => states[id] as ComplexityState;
  const addLiteral = (from: number, byte: number, to: number): void => {
    const targets = state(from).literal.get(byte) ?? [];
    targets.push(to);
    state(from).literal.set(byte, targets);
  };
  const finals = new Map<string, number>();
  const alphabet = new Set<number>();
  for (const term of terms) {
    for (const pattern of term.patterns) {
      const tokens = [QUOTE];
      for (const token of wildcardTokens(pattern)) {
        if (token === STAR) {
          tokens.push(STAR);
        } else {
          tokens.push(...Buffer.from(String.fromCharCode(token), 'utf8'));
        }
      }
      tokens.push(QUOTE);
      let current = 0;
      let previous = -1;
      let determinate = true;
      tokens.forEach((token, i) => {
        const terminal = i === tokens.length - 1;
        let next = 0;
        if (terminal) {
          next = finals.get(term.identity) ?? 0;
        } else if (token === STAR) {
          if (determinate) {
            next = state(current).star;
          }
        } else if (determinate) {
          next = state(current).prefix.get(token) ?? 0;
        }
        const created = next === 0;
        if (created) {
          next = states.length;
          states.push(newState());
          if (terminal) {
            finals.set(term.identity, next);
          } else if (token === STAR) {
            if (determinate) state(current).star = next;
          } else if (determinate) {
            state(current).prefix.set(token, next);
          }
        }
        if (token === STAR) {
          determinate = false;
          if (state(next).any.length === 0) {
            state(current).any.push(next);
            state(next).any = [next];
          }
        } else if (terminal || created) {
          alphabet.add(token);
          addLiteral(current, token, next);
          if (i > 0 && tokens[i - 1] === STAR) {
            // A wildcard may match nothing: the byte after it is also reachable from before it.
            addLiteral(previous, token, next);
          }
        }
        state(next).weight.add(term.identity);
        previous = current;
        current = next;
      });
    }
  }
  if (states.length === 1) {
    return 0;
  }
  const bytes = [ANY_BYTE, ...alphabet];
  const pending: number[][] = [[0]];
  const seen = new Set<string>();
  let maximum = 0;
  while (pending.length > 0) {
    const active = pending.pop() as number[];
    for (const byte of bytes) {
      const nextSet = new Set<number>();
      for (const id of active) {
        state(id).any.forEach((n) => nextSet.add(n));
        if (byte !== ANY_BYTE) {
          state(id).literal.get(byte)?.forEach((n) => nextSet.add(n));
        }
      }
      if (nextSet.size === 0) continue;
      let complexity = 0;
      for (const id of nextSet) {
        complexity += state(id).weight.size;
        for (const wildcard of state(id).any) {
          if (!nextSet.has(wildcard)) complexity += state(wildcard).weight.size;
        }
      }
      if (complexity > WILDCARD_COMPLEXITY_LIMIT) {
        return complexity;
      }
      maximum = Math.max(maximum, complexity);
      const next = [...nextSet].sort((a, b) => a - b);
      const key = next.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        pending.push(next);
      }
    }
  }
  return maximum;
};

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/**
 * The values an event object holds under `key`: its own property, plus what dotted keys spell
 * (`{"a.b": 1}` holds `{b: 1}` under `a`), merged into one object so sibling paths stay together.
 */
const valuesAt = (object: Record<string, unknown>, key: string): unknown[] => {
  const values: unknown[] = [];
  const hasOwn = Object.prototype.hasOwnProperty.call(object, key);
  const own = hasOwn ? object[key] : undefined;
  let dotted: Record<string, unknown> | undefined;
  const prefix = `${key}.`;
  for (const candidate of Object.keys(object)) {
    if (candidate.startsWith(prefix)) {
      dotted ??= {};
      dotted[candidate.slice(prefix.length)] = object[candidate];
    }
  }
  if (dotted === undefined) {
    if (hasOwn) values.push(own);
    return values;
  }
  if (hasOwn && isPlainObject(own)) {
    values.push({ ...own, ...dotted });
  } else {
    if (hasOwn) values.push(own);
    values.push(dotted);
  }
  return values;
};

/** Scalars (leaves) or objects under a value, flattening arrays as EventBridge does. */
const flatten = (values: readonly unknown[], wantObjects: boolean, depth = 0): unknown[] => {
  const out: unknown[] = [];
  for (const value of values) {
    if (Array.isArray(value)) {
      if (depth < MAX_DEPTH) out.push(...flatten(value, wantObjects, depth + 1));
    } else if (isPlainObject(value) === wantObjects && (wantObjects || isScalar(value))) {
      out.push(value);
    }
  }
  return out;
};

const matchNode = (object: Record<string, unknown>, node: PatternNode): boolean => {
  for (const [key, expected] of node.fields) {
    const values = valuesAt(object, key);
    if (expected.kind === 'leaf') {
      if (!matchLeaf(flatten(values, false) as Scalar[], expected)) return false;
    } else {
      // Each element is offered the whole nested pattern; nothing there still lets `exists: false` match.
      const candidates = flatten(values, true) as Record<string, unknown>[];
      const pool = candidates.length > 0 ? candidates : [{}];
      if (!pool.some((candidate) => matchNode(candidate, expected))) return false;
    }
  }
  return true;
};

const matchLeaf = (scalars: readonly Scalar[], leaf: Leaf): boolean => {
  const hasLeaf = scalars.length > 0;
  for (const alternative of leaf.alternatives) {
    if (alternative.kind === 'exists') {
      if (alternative.exists === hasLeaf) return true;
    } else if (scalars.some(alternative.test)) {
      return true;
    }
  }
  return false;
};

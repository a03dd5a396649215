/**
 * The Meilisearch subset of the contract (§7): the filter grammar (parser and evaluator),
 * `sort` and the `q` word matching.
 *
 *   expression := and ( "OR" and )*
 *   and        := not ( "AND" not )*
 *   not        := "NOT" not | "(" expression ")" | condition
 *   condition  := attribute ( operator value | ["NOT"] "IN" "[" [ value ( "," value )* ] "]"
 *                             | ["NOT"] "EXISTS" )
 *   operator   := "=" | "!=" | ">" | ">=" | "<" | "<="
 *
 * Keywords are upper-case only. Values and attributes are bare words or quoted with ' or "
 * (a backslash escapes the next character). Errors end with Meilisearch's position line:
 * "\n<start>:<end> <filter>", 1-based, end exclusive.
 */

export const FILTERABLE_ATTRIBUTES = [
	'business_unit_id',
	'conversation_id',
	'created_at',
	'from',
	'type',
] as const;
export const SORTABLE_ATTRIBUTES = ['created_at'] as const;

export type ComparisonOperator = '=' | '!=' | '>' | '>=' | '<' | '<=';

export type FilterNode =
	| { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
	| { kind: 'not'; operand: FilterNode }
	| { kind: 'compare'; attribute: string; operator: ComparisonOperator; value: string }
	| { kind: 'in'; attribute: string; values: string[] }
	| { kind: 'exists'; attribute: string };

export type FilterPredicate = (document: Readonly<Record<string, unknown>>) => boolean;

/** A filter that does not parse or names an attribute that is not filterable. */
export class FilterError extends Error {
	constructor(
		readonly description: string,
		readonly start: number,
		readonly end: number,
		source: string,
	) {
		super(`${description}\n${start + 1}:${end + 1} ${source}`);
		this.name = 'FilterError';
	}
}

type TokenKind = 'word' | 'quoted' | 'operator' | '(' | ')' | '[' | ']' | ',' | 'end';

interface Token {
	kind: TokenKind;
	/** The value: unescaped for quoted strings, the operator for operators. */
	text: string;
	start: number;
	end: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'EXISTS']);
const PUNCTUATION = new Set(['(', ')', '[', ']', ',']);
/** Characters that end a bare word. */
const WORD_BREAK = /[\s()[\],=!<>'"]/;

function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	let index = 0;
	while (index < source.length) {
		const char = source[index];
		if (/\s/.test(char)) {
			index++;
		} else if (PUNCTUATION.has(char)) {
			tokens.push({ kind: char as TokenKind, text: char, start: index, end: index + 1 });
			index++;
		} else if (char === '=' || char === '<' || char === '>' || char === '!') {
			const two = source.slice(index, index + 2);
			if (two === '!=' || two === '<=' || two === '>=') {
				tokens.push({ kind: 'operator', text: two, start: index, end: index + 2 });
				index += 2;
			} else if (char === '!') {
				throw new FilterError(
					'Unexpected character `!`; did you mean `!=`?',
					index,
					index + 1,
					source,
				);
			} else {
				tokens.push({ kind: 'operator', text: char, start: index, end: index + 1 });
				index++;
			}
		} else if (char === '"' || char === "'") {
			let value = '';
			let cursor = index + 1;
			while (cursor < source.length && source[cursor] !== char) {
				if (source[cursor] === '\\' && cursor + 1 < source.length) cursor++;
				value += source[cursor];
				cursor++;
			}
			if (cursor >= source.length) {
				throw new FilterError(
					`Expression \`${source.slice(index)}\` is missing the following closing delimiter: \`${char}\`.`,
					index,
					source.length,
					source,
				);
			}
			tokens.push({ kind: 'quoted', text: value, start: index, end: cursor + 1 });
			index = cursor + 1;
		} else {
			let cursor = index;
			while (cursor < source.length && !WORD_BREAK.test(source[cursor])) cursor++;
			tokens.push({ kind: 'word', text: source.slice(index, cursor), start: index, end: cursor });
			index = cursor;
		}
	}
	tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
	return tokens;
}

const OPERATION_LIST = '`=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `EXISTS` or `NOT EXISTS`';

class Parser {
	private position = 0;
	/** Attribute tokens in source order, checked against the filterable list after parsing. */
	readonly attributes: Token[] = [];

	constructor(
		private readonly source: string,
		private readonly tokens: Token[],
	) {}

	parse(): FilterNode {
		const node = this.parseOr();
		const next = this.peek();
		if (next.kind !== 'end') {
			throw this.error(
				`Found unexpected characters at the end of the filter: \`${this.source.slice(next.start).trimEnd()}\`. You probably forgot an \`OR\` or an \`AND\` rule.`,
				next.start,
				this.source.trimEnd().length,
			);
		}
		return node;
	}

	private parseOr(): FilterNode {
		let left = this.parseAnd();
		while (this.isKeyword(this.peek(), 'OR')) {
			this.position++;
			left = { kind: 'or', left, right: this.parseAnd() };
		}
		return left;
	}

	private parseAnd(): FilterNode {
		let left = this.parseNot();
		while (this.isKeyword(this.peek(), 'AND')) {
			this.position++;
			left = { kind: 'and', left, right: this.parseNot() };
		}
		return left;
	}

	private parseNot(): FilterNode {
		const token = this.peek();
		if (this.isKeyword(token, 'NOT')) {
			this.position++;
			return { kind: 'not', operand: this.parseNot() };
		}
		if (token.kind === '(') {
			this.position++;
			const inner = this.parseOr();
			const close = this.peek();
			if (close.kind !== ')') {
				const last = this.tokens[this.position - 1];
				throw this.error(
					`Expression \`${this.source.slice(token.start, last.end)}\` is missing the following closing delimiter: \`)\`.`,
					token.start,
					last.end,
				);
			}
			this.position++;
			return inner;
		}
		if (token.kind === 'quoted' || (token.kind === 'word' && !KEYWORDS.has(token.text))) {
			return this.parseCondition();
		}
		if (token.kind === 'end') {
			throw this.error(
				'Was expecting a filter expression but instead got nothing.',
				token.start,
				token.end,
			);
		}
		throw this.error(
			`Was expecting an attribute name, \`NOT\` or \`(\` but instead got \`${this.raw(token)}\`.`,
			token.start,
			token.end,
		);
	}

	private parseCondition(): FilterNode {
		const attributeToken = this.next();
		this.attributes.push(attributeToken);
		const attribute = attributeToken.text;
		const token = this.peek();
		if (token.kind === 'operator') {
			this.position++;
			return {
				kind: 'compare',
				attribute,
				operator: token.text as ComparisonOperator,
				value: this.parseValue(),
			};
		}
		let negated = false;
		let keyword = token;
		if (this.isKeyword(token, 'NOT')) {
			const after = this.tokens[this.position + 1];
			if (this.isKeyword(after, 'IN') || this.isKeyword(after, 'EXISTS')) {
				negated = true;
				keyword = after;
				this.position++;
			}
		}
		let node: FilterNode;
		if (this.isKeyword(keyword, 'IN')) {
			this.position++;
			node = { kind: 'in', attribute, values: this.parseList(keyword) };
		} else if (this.isKeyword(keyword, 'EXISTS')) {
			this.position++;
			node = { kind: 'exists', attribute };
		} else {
			const end = token.kind === 'end' ? attributeToken.end : token.end;
			throw this.error(
				`Was expecting an operation ${OPERATION_LIST} at \`${this.source.slice(attributeToken.start, end)}\`.`,
				attributeToken.start,
				end,
			);
		}
		return negated ? { kind: 'not', operand: node } : node;
	}

	private parseValue(): string {
		const token = this.peek();
		if (token.kind === 'quoted' || (token.kind === 'word' && !KEYWORDS.has(token.text))) {
			this.position++;
			return token.text;
		}
		if (token.kind === 'end') {
			throw this.error('Was expecting a value but instead got nothing.', token.start, token.end);
		}
		throw this.error(
			`Was expecting a value but instead got \`${this.raw(token)}\`.`,
			token.start,
			token.end,
		);
	}

	private parseList(inKeyword: Token): string[] {
		const open = this.peek();
		if (open.kind !== '[') {
			const found = open.kind === 'end' ? 'nothing' : `\`${this.raw(open)}\``;
			throw this.error(
				`Was expecting \`[\` after \`IN\` but instead got ${found}.`,
				inKeyword.start,
				open.kind === 'end' ? inKeyword.end : open.end,
			);
		}
		this.position++;
		const values: string[] = [];
		if (this.peek().kind === ']') {
			this.position++;
			return values;
		}
		for (;;) {
			values.push(this.parseValue());
			const separator = this.peek();
			if (separator.kind === ']') {
				this.position++;
				return values;
			}
			if (separator.kind === ',') {
				this.position++;
				continue;
			}
			const last = this.tokens[this.position - 1];
			if (separator.kind === 'end') {
				throw this.error(
					`Expression \`${this.source.slice(open.start, last.end)}\` is missing the following closing delimiter: \`]\`.`,
					open.start,
					last.end,
				);
			}
			throw this.error(
				`Was expecting \`,\` or \`]\` but instead got \`${this.raw(separator)}\`.`,
				separator.start,
				separator.end,
			);
		}
	}

	private peek(): Token {
		return this.tokens[this.position];
	}

	private next(): Token {
		return this.tokens[this.position++];
	}

	private isKeyword(token: Token | undefined, keyword: string): boolean {
		return token !== undefined && token.kind === 'word' && token.text === keyword;
	}

	private raw(token: Token): string {
		return this.source.slice(token.start, token.end);
	}

	private error(description: string, start: number, end: number): FilterError {
		return new FilterError(description, start, end, this.source);
	}
}

/** Parses a filter; throws FilterError on a syntax error or an attribute not in `filterable`. */
export function parseFilter(
	source: string,
	filterable: readonly string[] = FILTERABLE_ATTRIBUTES,
): FilterNode {
	const parser = new Parser(source, tokenize(source));
	const node = parser.parse();
	for (const token of parser.attributes) {
		if (!filterable.includes(token.text)) {
			throw new FilterError(
				`Attribute \`${token.text}\` is not filterable. Available filterable attributes are: \`${[...filterable].sort().join(', ')}\`.`,
				token.start,
				token.end,
				source,
			);
		}
	}
	return node;
}

/** Reads an attribute as a string; anything else (absent, null, objects) counts as missing. */
function readAttribute(
	document: Readonly<Record<string, unknown>>,
	attribute: string,
): string | undefined {
	const value = document[attribute];
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

export interface FilterOptions {
	/**
	 * Whether `>`, `>=`, `<`, `<=` compare strings, as Meilisearch does since 1.15 (default). When
	 * false (Meilisearch before 1.15) they apply to numbers only; every filterable attribute here
	 * is a string, so they match no document, silently.
	 */
	stringRanges?: boolean;
}

const RANGE_OPERATORS: ReadonlySet<ComparisonOperator> = new Set(['>', '>=', '<', '<=']);

/** Turns a parsed filter into a predicate; strings compare as strings (code-unit order). */
export function compileFilter(node: FilterNode, options: FilterOptions = {}): FilterPredicate {
	switch (node.kind) {
		case 'and': {
			const left = compileFilter(node.left, options);
			const right = compileFilter(node.right, options);
			return (document) => left(document) && right(document);
		}
		case 'or': {
			const left = compileFilter(node.left, options);
			const right = compileFilter(node.right, options);
			return (document) => left(document) || right(document);
		}
		case 'not': {
			const operand = compileFilter(node.operand, options);
			return (document) => !operand(document);
		}
		case 'exists': {
			const { attribute } = node;
			return (document) => readAttribute(document, attribute) !== undefined;
		}
		case 'in': {
			const { attribute } = node;
			const values = new Set(node.values);
			return (document) => {
				const value = readAttribute(document, attribute);
				return value !== undefined && values.has(value);
			};
		}
		case 'compare': {
			if (options.stringRanges === false && RANGE_OPERATORS.has(node.operator)) return () => false;
			const { attribute, value: expected } = node;
			const test = COMPARISONS[node.operator];
			return (document) => {
				const value = readAttribute(document, attribute);
				// As in Meilisearch, `!=` also matches documents without the attribute.
				if (value === undefined) return node.operator === '!=';
				return test(value, expected);
			};
		}
	}
}

const COMPARISONS: Record<ComparisonOperator, (value: string, expected: string) => boolean> = {
	'=': (value, expected) => value === expected,
	'!=': (value, expected) => value !== expected,
	'>': (value, expected) => value > expected,
	'>=': (value, expected) => value >= expected,
	'<': (value, expected) => value < expected,
	'<=': (value, expected) => value <= expected,
};

/** Parses and compiles in one step. */
export function createFilter(
	source: string,
	filterable?: readonly string[],
	options?: FilterOptions,
): FilterPredicate {
	return compileFilter(parseFilter(source, filterable), options);
}

// --- sort ------------------------------------------------------------------------------------

export interface SortRule {
	attribute: string;
	order: 'asc' | 'desc';
}

/** A `sort` parameter that is not an array of sortable `attribute:asc|desc` strings. */
export class SortError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SortError';
	}
}

/** "a string", "an array", …: how Meilisearch names a JSON value's type in errors. */
export function describeJson(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/** Validates `sort`; answers its rules in order (empty when absent). */
export function parseSort(
	sort: unknown,
	sortable: readonly string[] = SORTABLE_ATTRIBUTES,
): SortRule[] {
	if (sort === undefined || sort === null) return [];
	if (!Array.isArray(sort)) {
		throw new SortError(
			`Invalid value type for sort: expected an array, but found ${describeJson(sort)}: \`${JSON.stringify(sort)}\``,
		);
	}
	return sort.map((entry: unknown, index) => {
		if (typeof entry !== 'string') {
			throw new SortError(
				`Invalid value type at \`.sort[${index}]\`: expected a string, but found ${describeJson(entry)}: \`${JSON.stringify(entry)}\``,
			);
		}
		const match = /^([^:\s]+):(asc|desc)$/.exec(entry);
		if (!match) {
			throw new SortError(
				`Invalid syntax for the sort parameter: expected expression ending by \`:asc\` or \`:desc\`, found \`${entry}\`.`,
			);
		}
		const [, attribute, order] = match;
		if (!sortable.includes(attribute)) {
			throw new SortError(
				`Attribute \`${attribute}\` is not sortable. Available sortable attributes are: \`${sortable.join(', ')}\`.`,
			);
		}
		return { attribute, order: order as 'asc' | 'desc' };
	});
}

// --- q ---------------------------------------------------------------------------------------

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased words: runs of letters and digits; everything else separates words. */
export function splitWords(text: string): string[] {
	return text.toLowerCase().match(WORD) ?? [];
}

/**
 * How well a document's words match the query: -1 when some query word is not a prefix of
 * any document word; otherwise the number of document words that some query word prefixes
 * (0 for an empty query).
 */
export function relevance(queryWords: readonly string[], documentWords: readonly string[]): number {
	if (queryWords.length === 0) return 0;
	for (const queryWord of queryWords) {
		if (!documentWords.some((word) => word.startsWith(queryWord))) return -1;
	}
	let score = 0;
	for (const word of documentWords) {
		if (queryWords.some((queryWord) => word.startsWith(queryWord))) score++;
	}
	return score;
}

/** The Meilisearch filter grammar, `sort` and `q` matching of §7, tested without HTTP. */
import {
	FilterError,
	SortError,
	createFilter,
	parseFilter,
	parseSort,
	relevance,
	splitWords,
} from '../../api/filter';
import type { FilterOptions } from '../../api/filter';

/** Documents with one-letter ids; `f` lacks `from` and `business_unit_id`. */
const DOCUMENTS: Array<Record<string, unknown>> = [
	{
		id: 'a',
		conversation_id: 'conv_1',
		business_unit_id: 'bu_1',
		from: 'con_1',
		type: 'text',
		created_at: '2025-01-01T00:00:00.000Z',
	},
	{
		id: 'b',
		conversation_id: 'conv_1',
		business_unit_id: 'bu_1',
		from: 'u_1',
		type: 'image',
		created_at: '2025-01-02T00:00:00.000Z',
	},
	{
		id: 'c',
		conversation_id: 'conv_2',
		business_unit_id: 'bu_2',
		from: 'con_2',
		type: 'text',
		created_at: '2025-01-03T00:00:00.000Z',
	},
	{
		id: 'd',
		conversation_id: 'conv_2',
		business_unit_id: 'bu_2',
		from: 'u_imbrace_bot',
		type: 'quick_reply',
		created_at: '2025-01-04T00:00:00.000Z',
	},
	{
		id: 'e',
		conversation_id: 'conv 3',
		business_unit_id: 'bu_1',
		from: "it's",
		type: 'pdf',
		created_at: '2025-01-05T00:00:00.000Z',
	},
	{ id: 'f', conversation_id: 'conv_4', type: 'text', created_at: '2025-01-06T00:00:00.000Z' },
];

/** The ids of the documents a filter keeps, in order. */
function matching(filter: string, options?: FilterOptions): string {
	const predicate = createFilter(filter, undefined, options);
	return DOCUMENTS.filter(predicate)
		.map((document) => document.id)
		.join('');
}

function errorOf(filter: string): string {
	try {
		parseFilter(filter);
	} catch (error) {
		if (error instanceof FilterError) return error.message;
		throw error;
	}
	throw new Error(`${filter} parsed`);
}

describe('comparisons', () => {
	test.each([
		['type = text', 'acf'],
		['type != text', 'bde'],
		['from = con_1', 'a'],
		['from != con_1', 'bcdef'],
		['created_at > 2025-01-03T00:00:00.000Z', 'def'],
		['created_at >= 2025-01-03T00:00:00.000Z', 'cdef'],
		['created_at < 2025-01-02T00:00:00.000Z', 'a'],
		['created_at <= 2025-01-02T00:00:00.000Z', 'ab'],
		["created_at > '2025-01-03'", 'cdef'],
		['created_at < 2025-01-03', 'ab'],
		['conversation_id >= conv_2', 'cdf'],
		['type = TEXT', ''],
		['type = tex', ''],
		['business_unit_id = bu_2', 'cd'],
	])('%s → %s', (filter, expected) => {
		expect(matching(filter)).toBe(expected);
	});

	test('a document without the attribute matches only `!=`', () => {
		expect(matching('from = x OR from > a OR from < z')).toBe('abcde');
		expect(matching('from != x')).toBe('abcdef');
	});
});

describe('before Meilisearch 1.15 (stringRanges: false)', () => {
	const old = { stringRanges: false };

	test.each([
		'created_at > 2025-01-03T00:00:00.000Z',
		'created_at >= "2025-01-01"',
		'created_at < 2025-01-02T00:00:00.000Z',
		'created_at <= 9',
		'from >= con_ AND from < con~',
		'type > a OR type < z',
	])('%s matches nothing', (filter) => {
		expect(matching(filter, old)).toBe('');
	});

	test.each([
		['type = text', 'acf'],
		['type != text', 'bde'],
		['type IN [pdf, image]', 'be'],
		['from EXISTS', 'abcde'],
		['NOT from EXISTS', 'f'],
	])('%s still matches → %s', (filter, expected) => {
		expect(matching(filter, old)).toBe(expected);
	});

	test('a comparison that matches nothing, negated, matches everything', () => {
		expect(matching('NOT created_at > 2025-01-03', old)).toBe('abcdef');
		expect(matching('type = text OR created_at > 2025-01-03', old)).toBe('acf');
	});

	test('stringRanges: true, or no options, is 1.15', () => {
		expect(matching('created_at > 2025-01-03', { stringRanges: true })).toBe('cdef');
		expect(matching('created_at > 2025-01-03', {})).toBe('cdef');
	});
});

describe('AND, OR, NOT and parentheses', () => {
	test.each([
		['type = text OR type = image AND from = u_1', 'abcf'],
		['(type = text OR type = image) AND from = u_1', 'b'],
		['type = image AND from = u_1 OR type = pdf', 'be'],
		['type = pdf OR type = image AND from = con_1', 'e'],
		['type = text AND from = con_1 AND conversation_id = conv_1', 'a'],
		['type = pdf OR type = image OR type = quick_reply', 'bde'],
		['((type = text) AND (from = con_1 OR from = con_2))', 'ac'],
		['NOT type = text', 'bde'],
		['NOT type = text AND NOT type = image', 'de'],
		['NOT (type = text OR type = image)', 'de'],
		['NOT NOT type = pdf', 'e'],
		['NOT type = text OR type = text', 'abcdef'],
		['NOT (type = text) AND business_unit_id = bu_1', 'be'],
		['type = text AND NOT (from = con_1 OR from = con_2)', 'f'],
	])('%s → %s', (filter, expected) => {
		expect(matching(filter)).toBe(expected);
	});

	test('AND binds tighter than OR; NOT tighter than both', () => {
		expect(parseFilter('type = a OR NOT type = b AND from = c')).toEqual({
			kind: 'or',
			left: { kind: 'compare', attribute: 'type', operator: '=', value: 'a' },
			right: {
				kind: 'and',
				left: {
					kind: 'not',
					operand: { kind: 'compare', attribute: 'type', operator: '=', value: 'b' },
				},
				right: { kind: 'compare', attribute: 'from', operator: '=', value: 'c' },
			},
		});
	});

	test('chains associate to the left', () => {
		expect(parseFilter('type = a OR type = b OR type = c')).toEqual({
			kind: 'or',
			left: {
				kind: 'or',
				left: { kind: 'compare', attribute: 'type', operator: '=', value: 'a' },
				right: { kind: 'compare', attribute: 'type', operator: '=', value: 'b' },
			},
			right: { kind: 'compare', attribute: 'type', operator: '=', value: 'c' },
		});
	});
});

describe('IN and EXISTS', () => {
	test.each([
		['type IN [image, pdf]', 'be'],
		['type IN [image,pdf]', 'be'],
		[`type IN ['image', "quick_reply"]`, 'bd'],
		['type IN [text]', 'acf'],
		['type IN []', ''],
		['type NOT IN [text]', 'bde'],
		['NOT type IN [text]', 'bde'],
		['from IN [con_1, con_2] OR type IN [pdf]', 'ace'],
		['from EXISTS', 'abcde'],
		['from NOT EXISTS', 'f'],
		['NOT business_unit_id EXISTS', 'f'],
		['type EXISTS AND from NOT EXISTS', 'f'],
	])('%s → %s', (filter, expected) => {
		expect(matching(filter)).toBe(expected);
	});

	test('NOT IN and NOT EXISTS parse as negations', () => {
		expect(parseFilter('type NOT IN [a, b]')).toEqual({
			kind: 'not',
			operand: { kind: 'in', attribute: 'type', values: ['a', 'b'] },
		});
		expect(parseFilter('from NOT EXISTS')).toEqual({
			kind: 'not',
			operand: { kind: 'exists', attribute: 'from' },
		});
	});
});

describe('values, quoting and whitespace', () => {
	test.each([
		["conversation_id = 'conv 3'", 'e'],
		['conversation_id = "conv 3"', 'e'],
		[`from = "it's"`, 'e'],
		["from = 'it\\'s'", 'e'],
		["type = 'text'", 'acf'],
		["type = 'AND'", ''],
		["'type' = pdf", 'e'],
		['"from" EXISTS', 'abcde'],
		['type=pdf', 'e'],
		['  type   =   pdf  ', 'e'],
		['(type=pdf)OR(type=image)', 'be'],
		['type = pdf\n\tOR\ttype = image', 'be'],
		['type!=text', 'bde'],
		['created_at>=2025-01-05T00:00:00.000Z', 'ef'],
	])('%j → %s', (filter, expected) => {
		expect(matching(filter)).toBe(expected);
	});

	test('quoted values keep keywords, spaces and escaped quotes', () => {
		expect(parseFilter(`from = "a \\"b\\" AND c"`)).toEqual({
			kind: 'compare',
			attribute: 'from',
			operator: '=',
			value: 'a "b" AND c',
		});
	});

	test('bare values keep everything but spaces, quotes, brackets, commas and operators', () => {
		expect(parseFilter('created_at > 2025-01-03T00:00:00.000Z')).toEqual({
			kind: 'compare',
			attribute: 'created_at',
			operator: '>',
			value: '2025-01-03T00:00:00.000Z',
		});
		expect(parseFilter('from = con_6a0376d7-557f-4707-a2e5-628e1debaaff')).toMatchObject({
			value: 'con_6a0376d7-557f-4707-a2e5-628e1debaaff',
		});
	});
});

describe('errors, with Meilisearch position lines', () => {
	const OPERATIONS = '`=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `EXISTS` or `NOT EXISTS`';
	const FILTERABLE = '`business_unit_id, conversation_id, created_at, from, type`';
	test.each([
		['', 'Was expecting a filter expression but instead got nothing.\n1:1 '],
		[
			'type = text AND',
			'Was expecting a filter expression but instead got nothing.\n16:16 type = text AND',
		],
		['NOT', 'Was expecting a filter expression but instead got nothing.\n4:4 NOT'],
		['type text', `Was expecting an operation ${OPERATIONS} at \`type text\`.\n1:10 type text`],
		['type', `Was expecting an operation ${OPERATIONS} at \`type\`.\n1:5 type`],
		[
			'type NOT text',
			`Was expecting an operation ${OPERATIONS} at \`type NOT\`.\n1:9 type NOT text`,
		],
		['type =', 'Was expecting a value but instead got nothing.\n7:7 type ='],
		['type = )', 'Was expecting a value but instead got `)`.\n8:9 type = )'],
		['type = OR', 'Was expecting a value but instead got `OR`.\n8:10 type = OR'],
		[
			'(type = text',
			'Expression `(type = text` is missing the following closing delimiter: `)`.\n1:13 (type = text',
		],
		[
			'(type = text OR (from = a)',
			'Expression `(type = text OR (from = a)` is missing the following closing delimiter: `)`.\n1:27 (type = text OR (from = a)',
		],
		[
			"type = 'text",
			"Expression `'text` is missing the following closing delimiter: `'`.\n8:13 type = 'text",
		],
		[
			'type = "a',
			'Expression `"a` is missing the following closing delimiter: `"`.\n8:10 type = "a',
		],
		[
			'type = text from = x',
			'Found unexpected characters at the end of the filter: `from = x`. You probably forgot an `OR` or an `AND` rule.\n13:21 type = text from = x',
		],
		[
			'type = text and from = x',
			'Found unexpected characters at the end of the filter: `and from = x`. You probably forgot an `OR` or an `AND` rule.\n13:25 type = text and from = x',
		],
		[
			'type = text)',
			'Found unexpected characters at the end of the filter: `)`. You probably forgot an `OR` or an `AND` rule.\n12:13 type = text)',
		],
		[
			'type EXISTS x',
			'Found unexpected characters at the end of the filter: `x`. You probably forgot an `OR` or an `AND` rule.\n13:14 type EXISTS x',
		],
		[
			'content = x',
			`Attribute \`content\` is not filterable. Available filterable attributes are: ${FILTERABLE}.\n1:8 content = x`,
		],
		[
			'type = text OR text = x',
			`Attribute \`text\` is not filterable. Available filterable attributes are: ${FILTERABLE}.\n16:20 type = text OR text = x`,
		],
		['type ! text', 'Unexpected character `!`; did you mean `!=`?\n6:7 type ! text'],
		['type IN text', 'Was expecting `[` after `IN` but instead got `text`.\n6:13 type IN text'],
		['type IN', 'Was expecting `[` after `IN` but instead got nothing.\n6:8 type IN'],
		[
			'type IN [text',
			'Expression `[text` is missing the following closing delimiter: `]`.\n9:14 type IN [text',
		],
		[
			'type IN [text pdf]',
			'Was expecting `,` or `]` but instead got `pdf`.\n15:18 type IN [text pdf]',
		],
		['type IN [text,]', 'Was expecting a value but instead got `]`.\n15:16 type IN [text,]'],
		[
			'AND type = text',
			'Was expecting an attribute name, `NOT` or `(` but instead got `AND`.\n1:4 AND type = text',
		],
		['()', 'Was expecting an attribute name, `NOT` or `(` but instead got `)`.\n2:3 ()'],
		[
			'type = text AND AND',
			'Was expecting an attribute name, `NOT` or `(` but instead got `AND`.\n17:20 type = text AND AND',
		],
	])('%j', (filter, message) => {
		expect(errorOf(filter)).toBe(message);
	});

	test('syntax errors come before attribute errors', () => {
		expect(errorOf('content = x AND')).toBe(
			'Was expecting a filter expression but instead got nothing.\n16:16 content = x AND',
		);
	});

	test('the error carries its range', () => {
		let caught: unknown;
		try {
			parseFilter('type = text OR text = x');
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(FilterError);
		const { start, end, description } = caught as FilterError;
		expect([start, end]).toEqual([15, 19]);
		expect(description).toMatch(/^Attribute `text` is not filterable/);
	});

	test('the list of filterable attributes can be narrowed', () => {
		expect(() => parseFilter('type = text', ['from'])).toThrow(
			'Attribute `type` is not filterable. Available filterable attributes are: `from`.\n1:5 type = text',
		);
	});
});

describe('sort', () => {
	test('absent or null: no rules', () => {
		expect(parseSort(undefined)).toEqual([]);
		expect(parseSort(null)).toEqual([]);
		expect(parseSort([])).toEqual([]);
	});

	test('created_at ascending or descending', () => {
		expect(parseSort(['created_at:asc'])).toEqual([{ attribute: 'created_at', order: 'asc' }]);
		expect(parseSort(['created_at:desc'])).toEqual([{ attribute: 'created_at', order: 'desc' }]);
	});

	test.each([
		[
			'created_at:asc',
			'Invalid value type for sort: expected an array, but found a string: `"created_at:asc"`',
		],
		[
			{ created_at: 'asc' },
			'Invalid value type for sort: expected an array, but found an object: `{"created_at":"asc"}`',
		],
		[[5], 'Invalid value type at `.sort[0]`: expected a string, but found a number: `5`'],
		[
			['created_at'],
			'Invalid syntax for the sort parameter: expected expression ending by `:asc` or `:desc`, found `created_at`.',
		],
		[
			['created_at:up'],
			'Invalid syntax for the sort parameter: expected expression ending by `:asc` or `:desc`, found `created_at:up`.',
		],
		[
			['from:asc'],
			'Attribute `from` is not sortable. Available sortable attributes are: `created_at`.',
		],
		[
			['created_at:asc', 'type:desc'],
			'Attribute `type` is not sortable. Available sortable attributes are: `created_at`.',
		],
	])('%j: %s', (sort, message) => {
		expect(() => parseSort(sort)).toThrow(new SortError(message));
	});
});

describe('q words', () => {
	test('split on anything but letters and digits, lower-cased', () => {
		expect(splitWords('Hello, World! ORD-12345 café_au-lait  ')).toEqual([
			'hello',
			'world',
			'ord',
			'12345',
			'café',
			'au',
			'lait',
		]);
		expect(splitWords('  !!! ')).toEqual([]);
	});

	test('every query word must prefix some document word', () => {
		const document = splitWords('I have not received my refund yet');
		expect(relevance(['ref'], document)).toBe(1);
		expect(relevance(['refund', 'rec'], document)).toBe(2);
		expect(relevance(['fund'], document)).toBe(-1);
		expect(relevance(['refund', 'nothing'], document)).toBe(-1);
	});

	test('the score counts the document words that some query word prefixes', () => {
		expect(relevance(['ha'], splitWords('happy happy hat'))).toBe(3);
		expect(relevance(['happy'], splitWords('happy happy hat'))).toBe(2);
		expect(relevance([], splitWords('anything'))).toBe(0);
	});
});

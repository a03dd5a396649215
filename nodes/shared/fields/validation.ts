import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	IPollFunctions,
	PreSendAction,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../transport/environment';

/**
 * Checks of what a user typed or mapped, made before any request so that the mistake is named
 * by parameter. Each answers what is wrong (to end a sentence starting with the parameter's
 * name) and how to fix it, or nothing when the value is fine.
 */
export interface Problem {
	problem: string;
	fix: string;
}

/** iMBRACE's ID prefixes, by what they identify. */
export const ID_PREFIXES = {
	organization: 'org_',
	businessUnit: 'bu_',
	team: 't_',
	contact: 'con_',
	channel: 'ch_',
	conversation: 'conv_',
	agent: 'u_',
	// Template IDs have no prefix of their own.
	template: '',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const NOUNS: Record<IdKind, string> = {
	organization: 'organization',
	businessUnit: 'business unit',
	team: 'team',
	contact: 'contact',
	channel: 'channel',
	conversation: 'conversation',
	agent: 'agent',
	template: 'template',
};

function shown(value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;
}

/** An iMBRACE ID: a string with the kind's prefix. Empty passes unless `required`. */
export function checkId(value: unknown, kind: IdKind, required: boolean): Problem | undefined {
	const prefix = ID_PREFIXES[kind];
	const example = `${prefix}${kind === 'organization' ? 'imbrace' : '3f2a9c1e-…'}`;
	const startsRight = prefix
		? `${NOUNS[kind].charAt(0).toUpperCase()}${NOUNS[kind].slice(1)} IDs start with ${prefix}, e.g. ${example}.`
		: `Enter the ${NOUNS[kind]}'s ID, or choose it from the list.`;
	if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
		return required
			? {
					problem: 'is empty',
					fix: `Enter the ${NOUNS[kind]}'s ID, e.g. ${example}, or map it from the input.`,
				}
			: undefined;
	}
	if (typeof value !== 'string' || !value.trim().startsWith(prefix) || /\s/.test(value.trim())) {
		return {
			problem: `${shown(value)} is not ${/^[aeiou]/.test(NOUNS[kind]) ? 'an' : 'a'} ${NOUNS[kind]} ID`,
			fix: startsRight,
		};
	}
	return undefined;
}

export function checkText(value: unknown): Problem | undefined {
	return typeof value === 'string' && value.trim()
		? undefined
		: { problem: 'is empty', fix: 'Enter the text to send, or map it from the input.' };
}

export function checkUrl(value: unknown): Problem | undefined {
	if (
		typeof value === 'string' &&
		/^https?:\/\/[^\s/?#]+\S*$/i.test(value.trim()) &&
		URL.canParse(value.trim())
	) {
		return undefined;
	}
	return {
		problem:
			value === '' || value === undefined
				? 'is empty'
				: `${shown(value)} is not an absolute http(s) URL`,
		fix: 'Enter the full address of the file, starting with https:// or http://, or choose Binary File as the File Source.',
	};
}

export function checkBinaryProperty(
	item: INodeExecutionData,
	property: string,
): Problem | undefined {
	if (item.binary?.[property]) return undefined;
	const present = Object.keys(item.binary ?? {});
	return {
		problem: property.trim()
			? `${shown(property)} is not a binary field of the input item`
			: 'is empty',
		fix: present.length
			? `The input item has the binary field${present.length > 1 ? 's' : ''} ${present.map((name) => `"${name}"`).join(', ')}: enter the one that holds the file.`
			: 'The input item has no binary data: read or download the file in an earlier node, or choose URL as the File Source.',
	};
}

/** A Limit mapped from text ("5") counts as its number. */
export function limitOf(value: unknown): unknown {
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

export function checkLimit(value: unknown): Problem | undefined {
	const limit = limitOf(value);
	return typeof limit === 'number' && Number.isInteger(limit) && limit >= 1
		? undefined
		: {
				problem: `${shown(value)} is not a whole number of at least 1`,
				fix: 'Set Limit to 1 or more, or turn on Return All.',
			};
}

type Context = IExecuteSingleFunctions | IPollFunctions;

/** An item of a custom operation: its context reads parameters per item. */
export interface ItemOf {
	context: IExecuteFunctions;
	itemIndex: number;
}

/**
 * Whether `at` is an item of a custom operation. n8n's own item context has an `itemIndex` field
 * too, so the test is on what only n8n's contexts have.
 */
function isItemOf(at: Context | ItemOf): at is ItemOf {
	return !('getNodeParameter' in at);
}

/** A parameter's value, with a resource locator's ID taken out of it. */
export function parameterValue(context: Context | ItemOf, name: string): unknown {
	return isItemOf(context)
		? context.context.getNodeParameter(name, context.itemIndex, undefined, { extractValue: true })
		: context.getNodeParameter(name, undefined, { extractValue: true });
}

/** Fails (the item, in the node) with a message that names the parameter. */
export function ensure(
	at: Context | ItemOf,
	displayName: string,
	problem: Problem | undefined,
): void {
	if (!problem) return;
	const context = isItemOf(at) ? at.context : at;
	const itemIndex = isItemOf(at)
		? at.itemIndex
		: 'getItemIndex' in at
			? at.getItemIndex()
			: undefined;
	const where = itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
	throw new NodeOperationError(context.getNode(), `The ${displayName} ${problem.problem}${where}`, {
		description: problem.fix,
		itemIndex,
	});
}

/**
 * A `preSend` step that checks, and tidies, what routing put into the request. It reads the
 * request rather than the parameters: n8n has already evaluated them there, and what is checked
 * is then exactly what is sent.
 */
export function beforeSending(
	check: (this: IExecuteSingleFunctions, request: IHttpRequestOptions) => void | Promise<void>,
): PreSendAction {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		await check.call(this, requestOptions);
		return requestOptions;
	};
}

/** The request's query (`qs`) or body, as a plain object. */
export function fieldsOf(request: IHttpRequestOptions, location: 'qs' | 'body'): IDataObject {
	request[location] ??= {};
	return request[location] as IDataObject;
}

/** Checks an ID routing put into the request, trims it, and leaves out an empty optional one. */
export function tidyId(
	context: IExecuteSingleFunctions,
	fields: IDataObject,
	key: string,
	displayName: string,
	kind: IdKind,
	required = true,
): void {
	const value = typeof fields[key] === 'string' ? (fields[key] as string).trim() : fields[key];
	ensure(context, displayName, checkId(value, kind, required));
	if (value === undefined || value === '') delete fields[key];
	else fields[key] = value;
}

/** Leaves out the optional fields that were left empty. */
export function dropEmpty(fields: IDataObject, keys: string[]): void {
	for (const key of keys) if (fields[key] === '' || fields[key] === undefined) delete fields[key];
}

/** Sends text fields mapped from a number or a boolean as their text: iMBRACE wants strings. */
export function asText(fields: IDataObject, keys: string[]): void {
	for (const key of keys) {
		if (typeof fields[key] === 'number' || typeof fields[key] === 'boolean') {
			fields[key] = String(fields[key]);
		}
	}
}

/** A `preSend` step for an operation whose only parameter to check is one ID. */
export function checkSentId(
	location: 'qs' | 'body',
	key: string,
	displayName: string,
	kind: IdKind,
	required = true,
): PreSendAction {
	return beforeSending(function (request) {
		tidyId(this, fieldsOf(request, location), key, displayName, kind, required);
	});
}

/** Limit, unless Return All is on. */
export const checkListLimit = beforeSending(function () {
	if (!this.getNodeParameter('returnAll', false)) {
		ensure(this, 'Limit', checkLimit(this.getNodeParameter('limit', 50)));
	}
});

/** The Organization ID parameter, or the credential's when that is left empty. */
export async function organizationIdOf(where: Context | ItemOf): Promise<string> {
	const own = parameterValue(where, 'organizationId');
	const context = isItemOf(where) ? where.context : where;
	const value =
		typeof own === 'string' && own.trim()
			? own
			: (await context.getCredentials(CREDENTIAL_TYPE)).organizationId;
	const problem = checkId(value, 'organization', true);
	ensure(
		where,
		'Organization ID',
		problem && problem.problem === 'is empty'
			? {
					problem: 'is empty here and in the credential',
					fix: 'Enter the organization ID, e.g. org_imbrace, or set a default Organization ID in the iMBRACE credential.',
				}
			: problem,
	);
	return String(value).trim();
}

/** A text field of the request's body or query as sent (trimmed), or '' when there is none. */
export function textOf(request: IHttpRequestOptions, key: string): string {
	const fields = { ...(request.qs as IDataObject), ...(request.body as IDataObject) };
	const value = fields[key];
	return typeof value === 'string' ? value.trim() : value === undefined ? '' : String(value);
}

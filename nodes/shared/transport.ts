import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyRouting,
	IPollFunctions,
	PostReceiveAction,
	PreSendAction,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, resolveBaseUrl } from './environment';
import type { ListEndpoint } from './endpoints';
import type { FailureHints, HttpResponse } from './errors';
import { isJsonObject, responseError, transportError } from './errors';
import { simplifyMessage } from './simplify';
import { limitOf } from './validation';

type RequestContext = IExecuteSingleFunctions | IPollFunctions;

async function baseUrlOf(context: RequestContext): Promise<string> {
	return resolveBaseUrl(await context.getCredentials(CREDENTIAL_TYPE));
}

/** An answer to use: a success status with a JSON object (not HTML, not a broken body). */
function isUsable(response: HttpResponse): response is HttpResponse & { body: IDataObject } {
	return response.statusCode < 300 && isJsonObject(response.body);
}

function itemIndexOf(context: RequestContext): number | undefined {
	return 'getItemIndex' in context ? context.getItemIndex() : undefined;
}

/** Re-throws a connection failure as an iMBRACE error that names the address to check. */
async function rethrowTransportFailure(context: RequestContext, error: unknown): Promise<never> {
	throw (
		transportError(context.getNode(), error, await baseUrlOf(context), itemIndexOf(context)) ??
		error
	);
}

/**
 * One authenticated request to iMBRACE, for the code that is not declarative (the trigger and
 * the file upload). Answers the JSON body; any failure becomes an error that says what to fix.
 */
export async function apiRequest(
	context: RequestContext,
	options: IHttpRequestOptions,
	hints: FailureHints = {},
): Promise<IDataObject> {
	let response: HttpResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			json: true,
			...options,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as HttpResponse;
	} catch (error) {
		return await rethrowTransportFailure(context, error);
	}
	if (!isUsable(response)) {
		throw responseError(context.getNode(), response, { itemIndex: itemIndexOf(context), ...hints });
	}
	return response.body;
}

/**
 * First step of every operation's `postReceive`: a failed answer (the node asks n8n to pass
 * every status through) becomes an error with iMBRACE's message and how to fix it.
 */
export function checkResponse(hints: Omit<FailureHints, 'itemIndex'> = {}): PostReceiveAction {
	return async function (
		this: IExecuteSingleFunctions,
		items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		if (isUsable(response as HttpResponse)) return items;
		throw responseError(this.getNode(), response as HttpResponse, {
			itemIndex: this.getItemIndex(),
			...hints,
		});
	};
}

async function routingRequest(
	context: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	try {
		return await context.makeRoutingRequest(requestData);
	} catch (error) {
		return await rethrowTransportFailure(context, error);
	}
}

/** Output items, each paired with the input item they answer. */
function pairedWith(context: IExecuteSingleFunctions, items: INodeExecutionData[]) {
	const pairedItem = { item: context.getItemIndex() };
	return items.map((item) => ({ ...item, pairedItem }));
}

/**
 * Runs an operation that makes one request. It sits in n8n's pagination hook, the one place
 * where a declarative node sees its request fail, so that a connection failure gets the same
 * treatment as an error answer.
 */
export async function requestOnce(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	return pairedWith(this, await routingRequest(this, requestData));
}

/**
 * Runs a list operation: asks for no more than `limit` needs, or walks every page with Return
 * All, in pages as large as the endpoint allows, and stops as soon as the answer says it is done.
 */
export function pageThrough(endpoint: ListEndpoint) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const returnAll = this.getNodeParameter('returnAll', false) as boolean;
		const limit = returnAll ? Infinity : Number(limitOf(this.getNodeParameter('limit', 50)));
		const simplify = this.getNodeParameter('simplify', false) as boolean;

		const rows: IDataObject[] = [];
		for (let offset = 0, more = true; more && rows.length < limit; ) {
			const size = Math.min(endpoint.maxPageSize, limit - rows.length);
			endpoint.setPage(requestData.options as IHttpRequestOptions, offset, size);
			const [page] = await routingRequest(this, requestData);
			const answer = endpoint.readPage(page.json, offset);
			rows.push(...answer.rows.slice(0, size));
			offset += answer.rows.length;
			more = answer.more && answer.rows.length > 0;
		}
		return pairedWith(
			this,
			rows.map((row) => ({ json: simplify ? simplifyMessage(row) : row })),
		);
	};
}

/**
 * The routing of one operation: its request, the checks made before it is sent, and the same
 * handling of every failure. All requests go through n8n's pagination hook (see `requestOnce`).
 */
export function operationRouting(
	request: DeclarativeRestApiSettings.HttpRequestOptions,
	options: {
		checks?: PreSendAction[];
		hints?: Omit<FailureHints, 'itemIndex'>;
		list?: ListEndpoint;
	} = {},
): INodePropertyRouting {
	return {
		request,
		send: { paginate: true, preSend: options.checks },
		operations: { pagination: options.list ? pageThrough(options.list) : requestOnce },
		output: { postReceive: [checkResponse(options.hints)] },
	};
}

/**
 * Uploads an input item's binary file (name and type kept) and answers its iMBRACE address. It
 * goes out with the timeout, proxy and certificate settings of `request`, the node's own request.
 */
export async function uploadFile(
	context: IExecuteSingleFunctions,
	property: string,
	request: IHttpRequestOptions,
): Promise<string> {
	const binary = context.helpers.assertBinaryData(property);
	const content = await context.helpers.getBinaryDataBuffer(property);
	const mimeType = binary.mimeType || 'application/octet-stream';
	const fileName =
		binary.fileName || `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;

	const form = new FormData();
	form.append('file', new Blob([content], { type: mimeType }), fileName);
	form.append('destination', mimeType);
	const answer = await apiRequest(
		context,
		{
			method: 'POST',
			url: '/v1/backend/conversation_messages/_fileupload',
			body: form,
			json: false,
			timeout: request.timeout,
			proxy: request.proxy,
			skipSslCertificateValidation: request.skipSslCertificateValidation,
		},
		{ invalid: `Check the file in the Input Binary Field "${property}".` },
	);
	if (typeof answer.url !== 'string' || !answer.url) {
		const itemIndex = context.getItemIndex();
		throw responseError(context.getNode(), { statusCode: 200, body: answer }, { itemIndex });
	}
	return answer.url;
}

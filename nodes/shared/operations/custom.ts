import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { forModel } from '../toolMode';

/**
 * What n8n's declarative engine does for each item that an operation in `customOperations` (run
 * by n8n instead of routing, for what routing cannot do) has to do itself: the Request Options n8n
 * adds to every declarative node, and an error on its item with Continue On Fail.
 */

/** The node's Request Options (timeout, proxy, certificates), as n8n's routing applies them. */
export function requestOptionsOf(
	context: IExecuteFunctions,
	itemIndex: number,
): Partial<IHttpRequestOptions> {
	const { proxy, timeout, allowUnauthorizedCerts } = context.getNodeParameter(
		'requestOptions',
		itemIndex,
		{},
	) as IDataObject;
	const options: Partial<IHttpRequestOptions> = { timeout: Number(timeout) || 300_000 };
	if (allowUnauthorizedCerts) options.skipSslCertificateValidation = true;
	if (typeof proxy === 'string' && proxy) {
		const url = URL.canParse(proxy) ? new URL(proxy) : undefined;
		if (!url?.hostname || !url.port) {
			throw new NodeOperationError(context.getNode(), 'The proxy is not valid', {
				itemIndex,
				description: `The proxy URL under Request Options needs a host and a port, e.g. http://proxy.example.com:3128 [item ${itemIndex}]`,
			});
		}
		options.proxy = {
			host: url.hostname,
			port: Number(url.port),
			protocol: url.protocol.replace(/:$/, ''),
			...(url.username
				? {
						auth: {
							username: decodeURIComponent(url.username),
							password: decodeURIComponent(url.password),
						},
					}
				: {}),
		};
	}
	return options;
}

/**
 * Runs `work` for each input item, up to `atOnce` items at a time (each item's own requests one
 * after another, so a node run keeps to that many in flight); its output items come in item
 * order, paired with their item. A failed item becomes an error item with Continue On Fail, as
 * routing makes it; without, the first failed item stops the node once the items under way end.
 */
export async function eachItem(
	context: IExecuteFunctions,
	work: (itemIndex: number) => Promise<INodeExecutionData[]>,
	atOnce = 1,
): Promise<INodeExecutionData[][]> {
	const count = context.getInputData().length;
	const results: Array<INodeExecutionData[] | { failure: NodeApiError | NodeOperationError }> = [];
	let next = 0;
	let stopped = false;
	const runItems = async () => {
		while (next < count && !stopped) {
			const itemIndex = next++;
			try {
				results[itemIndex] = await work(itemIndex);
			} catch (caught) {
				results[itemIndex] = {
					failure: forModel(
						context.getNode(),
						caught instanceof NodeApiError || caught instanceof NodeOperationError
							? caught
							: new NodeOperationError(context.getNode(), caught as Error, { itemIndex }),
					),
				};
				if (!context.continueOnFail()) stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(atOnce, count) }, runItems));
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		if (result === undefined) continue;
		const pairedItem = { item: itemIndex };
		if (!('failure' in result)) {
			output.push(...result.map((item) => ({ ...item, pairedItem })));
		} else if (context.continueOnFail()) {
			output.push({ json: {}, error: result.failure, pairedItem });
		} else {
			throw result.failure;
		}
	}
	return [output];
}

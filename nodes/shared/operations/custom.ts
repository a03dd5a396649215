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
 * Runs `work` for each input item in turn; its output items are paired with the item. A failed
 * item becomes an error item with Continue On Fail, as routing makes it, or stops the node.
 */
export async function eachItem(
	context: IExecuteFunctions,
	work: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const output: INodeExecutionData[] = [];
	const items = context.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const pairedItem = { item: itemIndex };
		try {
			output.push(...(await work(itemIndex)).map((item) => ({ ...item, pairedItem })));
		} catch (caught) {
			const error = forModel(
				context.getNode(),
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(context.getNode(), caught as Error, { itemIndex }),
			);
			if (!context.continueOnFail()) throw error;
			output.push({ json: {}, error, pairedItem });
		}
	}
	return [output];
}

import { LoadOptionsContext } from 'n8n-core';
import type { INodeListSearchResult, INodeParameters } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import type { CredentialData } from './engine';
import { createAdditionalData, createCredentialsHelper, createNode, getNodeTypes } from './engine';
import { NODE_TYPE } from './package';

/**
 * Runs a "From list" search of a node as the editor does: n8n-core's own LoadOptionsContext, for
 * the node with the parameters the editor holds now, on the package as n8n's loader loaded it.
 */
export async function listSearch(options: {
	method: string;
	parameters: INodeParameters;
	credentials: CredentialData;
	filter?: string;
	paginationToken?: string;
	nodeType?: string;
}): Promise<INodeListSearchResult> {
	const nodeTypes = await getNodeTypes();
	const type = options.nodeType ?? NODE_TYPE;
	const node = createNode(type, options.parameters);
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const additionalData = createAdditionalData(await createCredentialsHelper(options.credentials));
	additionalData.currentNodeParameters = options.parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	const search = nodeTypes.getByNameAndVersion(type, 1).methods?.listSearch?.[options.method];
	if (!search) throw new Error(`${type} has no list search ${options.method}`);
	return await search.call(context, options.filter, options.paginationToken);
}

/** Every page of a search, following its tokens: the results in order, and how many pages. */
export async function allPages(
	options: Omit<Parameters<typeof listSearch>[0], 'paginationToken'>,
): Promise<{ values: string[]; names: string[]; pages: number }> {
	const values: string[] = [];
	const names: string[] = [];
	let pages = 0;
	let paginationToken: string | undefined;
	do {
		const page = await listSearch({ ...options, paginationToken });
		pages++;
		values.push(...page.results.map((result) => String(result.value)));
		names.push(...page.results.map((result) => result.name));
		paginationToken = page.paginationToken as string | undefined;
	} while (paginationToken && pages < 100);
	return { values, names, pages };
}

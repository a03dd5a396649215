import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { idLocator } from '../../../shared/fields/descriptions';
import { endpointPath } from '../../../shared/transport/routes';
import { organizationIdOf } from '../../../shared/fields/validation';

export function organizationIdField(operation: string): INodeProperties {
	return idLocator({
		name: 'organizationId',
		displayName: 'Organization ID',
		kind: 'organization',
		placeholder: 'e.g. org_imbrace',
		description:
			"The organization whose messages to read; empty uses the credential's Organization ID",
		displayOptions: { show: { resource: ['message'], operation: [operation] } },
	});
}

/** Aims the request at the organization's index, once its ID is known to be usable. */
export function toOrganizationIndex(action: 'search' | 'fetch') {
	return async function (
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		requestOptions.url = endpointPath(action, await organizationIdOf(this));
		return requestOptions;
	};
}

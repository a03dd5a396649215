import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { IdKind } from './validation';
import { ID_PREFIXES } from './validation';

interface IdLocatorOptions {
	name: string;
	displayName: string;
	kind: IdKind;
	description: string;
	required?: boolean;
	placeholder?: string;
	displayOptions?: IDisplayOptions;
	/** The listSearch method of a "From list" mode (nodes/shared/listSearch), where iMBRACE lists them. */
	searchListMethod?: string;
	/** A "By URL" mode: a link in which the ID appears. */
	url?: { placeholder: string; regex: string; errorMessage: string };
}

/**
 * An ID parameter: "From list" where iMBRACE lists these, "By URL" where a link names one, and
 * "ID". A plain string saved in a workflow is accepted as well (n8n reads it as the ID).
 */
export function idLocator(options: IdLocatorOptions): INodeProperties {
	const prefix = ID_PREFIXES[options.kind];
	const idPattern = `${prefix}[A-Za-z0-9_-]+`;
	const { searchListMethod, url } = options;
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: searchListMethod ? 'list' : 'id', value: '' },
		required: options.required ?? false,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [
			...(searchListMethod
				? [
						{
							displayName: 'From List',
							name: 'list',
							type: 'list' as const,
							typeOptions: { searchListMethod, searchable: true },
						},
					]
				: []),
			...(url
				? [
						{
							displayName: 'By URL',
							name: 'url',
							type: 'string' as const,
							placeholder: url.placeholder,
							validation: [
								{
									type: 'regex' as const,
									properties: { regex: url.regex, errorMessage: url.errorMessage },
								},
							],
							extractValue: { type: 'regex' as const, regex: `(${idPattern})` },
						},
					]
				: []),
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: options.placeholder ?? `e.g. ${prefix}3f2a9c1e-5b7d-4e21-9a0c-8d1f2e3b4c5d`,
				validation: [
					{
						type: 'regex',
						properties: {
							// Empty passes here: a required ID is caught by `required`.
							regex: `^\\s*(${idPattern})?\\s*$`,
							errorMessage: prefix
								? `The ${options.displayName} must start with ${prefix}`
								: `The ${options.displayName} is one word of letters, digits, _ and -`,
						},
					},
				],
			},
		],
	};
}

function simplifyProperty(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		displayOptions,
	};
}

/** Return All, Limit and Simplify of a list operation. */
export function listProperties(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...displayOptions, show: { ...displayOptions.show, returnAll: [false] } },
		},
		simplifyProperty(displayOptions),
	];
}

import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

/**
 * The rule set of n8n's verification scanner (@n8n/scan-community-package 0.32.0,
 * `buildScanConfig`): community-nodes `recommended`, `no-console`, and the
 * eslint-plugin-n8n-nodes-base community/credentials/nodes rules with the same rules off.
 * scripts/lint-package.mjs applies it to the packed tarball as the scanner does.
 */
export const scannerConfig = [
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	{ files: ['**/*.ts'], languageOptions: { parser: tsParser } },
];

/** What the scanner lints in the source checkout (its SOURCE_FILE_PATTERNS, as one glob). */
const scannedSourceFiles = '{package.json,{nodes,credentials}/**/*.{js,ts,json}}';

export default [
	{
		ignores: [
			'dist/**',
			'build/**',
			'node_modules/**',
			'.n8n-runtime/**',
			'.tmp/**',
			'release/**',
			'bench/**/*.json',
		],
	},
	// The scanner's blocks, each narrowed to the files the scanner lints (an inner array is "and").
	...scannerConfig.map((config) => ({
		...config,
		files: (config.files ?? ['**/*']).map((pattern) => [pattern, scannedSourceFiles]),
	})),
	// Tests and scripts are not shipped or scanned; they get TypeScript's recommended rules.
	...tseslint.configs.recommended.map((config) => ({
		...config,
		files: ['test/**/*.ts', 'scripts/**/*.{ts,mjs,js}'],
	})),
];

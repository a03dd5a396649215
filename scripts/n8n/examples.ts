// The example workflows and the sandbox credential, as files n8n's CLI imports.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './runtime';

export const CREDENTIAL_ID = 'imbraceSandbox1';
export const EXAMPLES_DIR = join(ROOT, 'examples');
/** Where the file example reads its PDF in n8n's Docker image; moved into the user folder here. */
const EXAMPLE_FILE_PATH = '/home/node/.n8n-files/brochure.pdf';

export interface Workflow {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		typeVersion: number;
		parameters: Record<string, unknown>;
	}>;
	[key: string]: unknown;
}

type SandboxAddress = { url: string; tokens: { agent: string }; ids: { organizationId: string } };

/** The credential "iMBRACE sandbox": a custom environment aimed at the sandbox, as an agent. */
export function sandboxCredential(sandbox: SandboxAddress, accessToken = sandbox.tokens.agent) {
	return {
		id: CREDENTIAL_ID,
		name: 'iMBRACE sandbox',
		type: 'imbraceApi',
		data: {
			environment: 'custom',
			baseUrl: sandbox.url,
			authType: 'accessToken',
			accessToken,
			organizationId: sandbox.ids.organizationId,
		},
	};
}

/** Writes the sandbox credential as a file for `n8n import:credentials`. */
export function writeSandboxCredential(dir: string, sandbox: SandboxAddress): string {
	const file = join(dir, 'credentials.json');
	mkdirSync(dir, { recursive: true });
	writeFileSync(file, `${JSON.stringify([sandboxCredential(sandbox)], null, '\t')}\n`);
	return file;
}

export function readExamples(): Record<string, Workflow> {
	return Object.fromEntries(
		readdirSync(EXAMPLES_DIR)
			.filter((name) => name.endsWith('.json'))
			.map((name) => [
				name.replace(/\.json$/, ''),
				JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8')),
			]),
	);
}

/**
 * Writes the examples for one n8n user folder: the file example reads the brochure from the
 * folder n8n may read files from (N8N_RESTRICT_FILE_ACCESS_TO). `adapt` may change a workflow
 * further (the end-to-end tests start scheduled ones by hand).
 */
export function writeExamples(
	dir: string,
	filesDir: string,
	adapt: (workflow: Workflow) => Workflow = (workflow) => workflow,
): string {
	mkdirSync(dir, { recursive: true });
	mkdirSync(filesDir, { recursive: true });
	copyFileSync(join(EXAMPLES_DIR, 'files', 'brochure.pdf'), join(filesDir, 'brochure.pdf'));
	for (const [name, workflow] of Object.entries(readExamples())) {
		const text = JSON.stringify(adapt(workflow), null, '\t').replaceAll(
			EXAMPLE_FILE_PATH,
			join(filesDir, 'brochure.pdf'),
		);
		writeFileSync(join(dir, `${name}.json`), `${text}\n`);
	}
	return dir;
}

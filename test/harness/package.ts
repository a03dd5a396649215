import { PackageDirectoryLoader } from 'n8n-core';

import { ROOT } from '../../scripts/n8n/runtime';

export const PACKAGE_ROOT = ROOT;
export const NODE_TYPE = 'n8n-nodes-imbrace.imbrace';
export const TRIGGER_TYPE = 'n8n-nodes-imbrace.imbraceTrigger';
export const CREDENTIAL_TYPE = 'imbraceApi';

let loading: Promise<PackageDirectoryLoader> | undefined;

/**
 * The built package (dist/), loaded by n8n's own package loader, as a community install is:
 * it validates package.json, resolves icons and codex, and injects loader parameters.
 */
export async function loadPackage(): Promise<PackageDirectoryLoader> {
	loading ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loading;
}

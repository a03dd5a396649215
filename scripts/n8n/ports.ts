// Free TCP ports for n8n and everything it listens on, so that any number of n8n processes (ours,
// or someone else's on the same machine) can run side by side.
import { createServer } from 'node:net';

/** Ports this process has handed out, so two picks made close together never collide. */
const handedOut = new Set<number>();

/**
 * Whether nothing listens on the port. It binds the wildcard address, which fails when anything
 * holds the port on any IPv4 address or on the IPv6 wildcard (n8n's own default).
 */
export function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/** A port the system has free now. */
function anyFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen({ port: 0, exclusive: true }, () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** The preferred port when it is free, else any free port; never one handed out before. */
export async function freePort(preferred?: number): Promise<number> {
	if (preferred && !handedOut.has(preferred) && (await isPortFree(preferred))) {
		handedOut.add(preferred);
		return preferred;
	}
	for (;;) {
		const port = await anyFreePort();
		if (handedOut.has(port)) continue;
		handedOut.add(port);
		return port;
	}
}

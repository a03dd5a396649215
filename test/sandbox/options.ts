/**
 * The sandbox's mode as a command line gives it, for `npm run sandbox` and `npm start` alike: a
 * flag (`--routes current`, `--meili=1.14`, `--whatsapp-window`), else an environment variable,
 * else the default.
 */
import { MEILI_GENERATIONS, ROUTE_MODES } from './api/api';
import type { MeiliGeneration, RoutesMode } from './api/api';
import { SandboxInputError } from './server';

export function readOption(args: readonly string[], name: string): string | undefined {
	const index = args.indexOf(name);
	if (index >= 0) return args[index + 1];
	const inline = args.find((arg) => arg.startsWith(`${name}=`));
	return inline?.slice(name.length + 1);
}

function readChoice<T extends string>(
	args: readonly string[],
	flag: string,
	variable: string,
	allowed: readonly T[],
	fallback: T,
): T {
	const value = readOption(args, flag) ?? process.env[variable] ?? fallback;
	if (!(allowed as readonly string[]).includes(value)) {
		throw new SandboxInputError(
			`Invalid ${flag} (or ${variable}): ${value}; use one of ${allowed.join(', ')}`,
		);
	}
	return value as T;
}

/** An on/off switch: `--flag on|off`, or `--flag` alone for on. */
function readSwitch(
	args: readonly string[],
	flag: string,
	variable: string,
	fallback: boolean,
): boolean {
	const index = args.indexOf(flag);
	const bare = index >= 0 && (args[index + 1] === undefined || args[index + 1].startsWith('--'));
	const value = bare
		? 'on'
		: readChoice(args, flag, variable, ['on', 'off'] as const, fallback ? 'on' : 'off');
	return value === 'on';
}

/**
 * Routes default to the current family only, which a production gateway most likely serves,
 * and the index to Meilisearch 1.15; the inbox is routed, and WhatsApp's 24-hour window is not
 * enforced (`--whatsapp-window` turns it on).
 */
export function readSandboxMode(args: readonly string[]): {
	routes: RoutesMode;
	meili: MeiliGeneration;
	inbox: boolean;
	whatsappWindow: boolean;
} {
	return {
		routes: readChoice(args, '--routes', 'IMBRACE_SANDBOX_ROUTES', ROUTE_MODES, 'current'),
		meili: readChoice(args, '--meili', 'IMBRACE_SANDBOX_MEILI', MEILI_GENERATIONS, '1.15'),
		inbox: readSwitch(args, '--inbox', 'IMBRACE_SANDBOX_INBOX', true),
		whatsappWindow: readSwitch(args, '--whatsapp-window', 'IMBRACE_SANDBOX_WHATSAPP_WINDOW', false),
	};
}

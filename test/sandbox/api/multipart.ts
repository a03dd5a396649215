/** A binary-safe multipart/form-data parser (RFC 7578), enough for the upload endpoint. */

export interface MultipartPart {
	name: string;
	/** Present for file parts. */
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** The boundary of a multipart/form-data Content-Type, or undefined for anything else. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
	if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
	const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : undefined;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The parts of a multipart body; undefined when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | undefined {
	const delimiter = Buffer.from(`--${boundary}`);
	// The body (after an optional preamble) starts with the first delimiter.
	let cursor = body.indexOf(delimiter);
	if (cursor < 0) return undefined;
	const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
	const parts: MultipartPart[] = [];
	for (;;) {
		cursor += delimiter.length;
		if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts;
		// Transport padding (spaces, tabs) may follow the delimiter before its line break.
		while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++;
		if (!body.subarray(cursor, cursor + 2).equals(CRLF)) return undefined;
		cursor += 2;
		const headerEnd = body.indexOf(HEADER_END, cursor);
		if (headerEnd < 0) return undefined;
		const headers = parseHeaders(body.subarray(cursor, headerEnd).toString('utf8'));
		const dataStart = headerEnd + HEADER_END.length;
		const dataEnd = body.indexOf(nextDelimiter, dataStart);
		if (dataEnd < 0) return undefined;
		const disposition = headers.get('content-disposition');
		const parameters = disposition ? dispositionParameters(disposition) : undefined;
		const name = parameters?.get('name');
		if (name === undefined) return undefined;
		parts.push({
			name,
			filename: parameters?.get('filename*') ?? parameters?.get('filename'),
			contentType: headers.get('content-type'),
			data: body.subarray(dataStart, dataEnd),
		});
		cursor = dataEnd + 2;
	}
}

function parseHeaders(text: string): Map<string, string> {
	const headers = new Map<string, string>();
	for (const line of text.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0)
			headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	return headers;
}

/** `form-data; name="file"; filename="a.png"` → name, filename (filename* decoded, RFC 5987). */
function dispositionParameters(value: string): Map<string, string> {
	const parameters = new Map<string, string>();
	const pattern = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
		const key = match[1].toLowerCase();
		let raw = match[2].trim();
		if (raw.startsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
		if (key === 'filename*') {
			const extended = /^[^']*'[^']*'(.*)$/.exec(raw);
			try {
				raw = decodeURIComponent(extended ? extended[1] : raw);
			} catch {
				continue;
			}
		}
		parameters.set(key, raw);
	}
	return parameters;
}
